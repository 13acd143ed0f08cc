import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Console,
  connectTcp,
  connectUnix,
  EndpointNotFoundError,
  endpointFromChardevFilename,
  followFile,
  formatEndpoint,
  InvalidEndpointError,
  listenTcp,
  listenUnix,
  openEndpoint,
  parseEndpoint,
  ReadOnlyEndpointError,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-serial-endpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseEndpoint', () => {
  const cases: [string, ReturnType<typeof parseEndpoint>][] = [
    ['unix:/run/vm/console.sock', { kind: 'unix', path: '/run/vm/console.sock' }],
    ['unix-listen:/tmp/c.sock', { kind: 'unix-listen', path: '/tmp/c.sock' }],
    ['tcp:127.0.0.1:4555', { kind: 'tcp', host: '127.0.0.1', port: 4555 }],
    ['tcp-listen:[::1]:4556', { kind: 'tcp-listen', host: '::1', port: 4556 }],
    [
      'serial:/dev/ttyUSB0,baud=9600,flow=rtscts',
      { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600, flowControl: 'rtscts' },
    ],
    ['pty:/dev/pts/3', { kind: 'serial', path: '/dev/pts/3' }],
    ['/dev/ttyS0', { kind: 'serial', path: '/dev/ttyS0' }],
    ['/dev/virtio-ports/agent', { kind: 'device', path: '/dev/virtio-ports/agent' }],
    ['device:/dev/vport1p1', { kind: 'device', path: '/dev/vport1p1' }],
    ['file:/var/log/vm.log', { kind: 'file', path: '/var/log/vm.log' }],
    ['/tmp/vm/console.sock', { kind: 'path', path: '/tmp/vm/console.sock' }],
  ];
  for (const [text, spec] of cases) {
    it(`parses ${text} and formats it back`, () => {
      expect(parseEndpoint(text)).toEqual(spec);
      expect(parseEndpoint(formatEndpoint(spec))).toEqual(spec);
    });
  }

  for (const bad of ['ftp:/x', 'tcp:host', 'tcp:host:99999', 'unix:', 'serial:/dev/x,baud=fast']) {
    it(`rejects ${bad} with INVALID_ENDPOINT`, () => {
      const error = (() => {
        try {
          parseEndpoint(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidEndpointError);
      expect((error as InvalidEndpointError).endpoint).toBe(bad);
    });
  }
});

describe('endpointFromChardevFilename (QMP query-chardev)', () => {
  it('maps pty, unix and tcp chardevs, server or not', () => {
    expect(endpointFromChardevFilename('pty:/dev/pts/4')).toEqual({
      kind: 'serial',
      path: '/dev/pts/4',
    });
    expect(endpointFromChardevFilename('unix:/tmp/c.sock,server=on')).toEqual({
      kind: 'unix',
      path: '/tmp/c.sock',
    });
    expect(endpointFromChardevFilename('disconnected:unix:/tmp/c.sock')).toEqual({
      kind: 'unix-listen',
      path: '/tmp/c.sock',
    });
    expect(endpointFromChardevFilename('tcp:127.0.0.1:4555,server=on <-> 127.0.0.1:40000')).toEqual(
      { kind: 'tcp', host: '127.0.0.1', port: 4555 },
    );
    expect(() => endpointFromChardevFilename('stdio')).toThrow(InvalidEndpointError);
  });
});

describe('socket endpoints', () => {
  it('connects to a Unix listener (QEMU server=off) and moves bytes both ways', async () => {
    const path = join(dir, 'listen.sock');
    const listener = await listenUnix(path);
    const [client, server] = await Promise.all([connectUnix(path), listener.accept()]);
    await listener.close();
    const a = new Console(client);
    const b = new Console(server);
    await a.sendLine('ping');
    await b.expect('ping\n');
    await b.sendLine('pong');
    await a.expect('pong\n');
    a.close();
    await b.done;
  });

  it('opens tcp and tcp-listen endpoints', async () => {
    const listener = await listenTcp('127.0.0.1', 0);
    const [client, server] = await Promise.all([
      openEndpoint(`tcp:127.0.0.1:${listener.port}`),
      listener.accept(),
    ]);
    await listener.close();
    const console = new Console(server);
    client.write('over tcp');
    await console.expect('over tcp');
    client.destroy();
    await console.done;
  });

  it('reports a missing socket or refused port as ENDPOINT_NOT_FOUND, after retries too', async () => {
    const missing = join(dir, 'nobody.sock');
    await expect(connectUnix(missing)).rejects.toBeInstanceOf(EndpointNotFoundError);
    const started = Date.now();
    await expect(connectUnix(missing, { retryFor: 300 })).rejects.toMatchObject({
      code: 'ENDPOINT_NOT_FOUND',
      endpoint: missing,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const closed = await listenTcp('127.0.0.1', 0);
    await closed.close();
    await expect(connectTcp('127.0.0.1', closed.port ?? 1)).rejects.toMatchObject({
      code: 'ENDPOINT_NOT_FOUND',
    });
    await expect(openEndpoint(join(dir, 'no-such-file'))).rejects.toMatchObject({
      code: 'ENDPOINT_NOT_FOUND',
    });
  });
});

describe('followFile', () => {
  it('reads a log as it grows, restarts after truncation, and refuses writes', async () => {
    const path = join(dir, 'console.log');
    writeFileSync(path, 'first line\n');
    const console = new Console(await followFile(path, { interval: 10 }));
    await console.expect('first line\n');
    appendFileSync(path, 'second ');
    appendFileSync(path, 'line\n');
    await console.expect('second line\n', { timeout: 5000 });
    truncateSync(path, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    appendFileSync(path, 'after rotation\n');
    await console.expect('after rotation\n', { timeout: 5000 });
    const refused = await new Promise((resolve) => console.stream.write('x', resolve));
    expect(refused).toBeInstanceOf(ReadOnlyEndpointError);
    console.close();
  });

  it('can start at the end of the file', async () => {
    const path = join(dir, 'tail.log');
    writeFileSync(path, 'old stuff\n');
    const console = new Console(await openEndpoint(`file:${path}`));
    await console.expect('old stuff');
    console.close();
    const fromEnd = new Console(await followFile(path, { from: 'end', interval: 10 }));
    appendFileSync(path, 'new stuff\n');
    const match = await fromEnd.expect('new stuff', { timeout: 5000 });
    expect(match.before).toBe('');
    fromEnd.close();
  });
});
