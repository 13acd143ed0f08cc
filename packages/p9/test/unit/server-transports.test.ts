import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/p9-client.js';
import { InvalidOptionError } from '../../src/errors.js';
import { MemFs } from '../../src/fs/memory.js';
import { createServer } from '../../src/server/server.js';

function memFs(): MemFs {
  const fs = new MemFs();
  fs.writeFile('motd', 'hello\n');
  return fs;
}

/** Two connected in-memory Duplex ends: no sockets at all. */
function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return [
    Duplex.from({ readable: bToA, writable: aToB }),
    Duplex.from({ readable: aToB, writable: bToA }),
  ];
}

describe('transports', () => {
  it('handle() serves any Duplex', async () => {
    const server = createServer({ fs: memFs() });
    const [serverEnd, clientEnd] = duplexPair();
    const served = server.handle(serverEnd);
    const client = await connect(clientEnd);
    expect((await client.readFile('motd')).toString()).toBe('hello\n');
    client.close();
    serverEnd.destroy();
    await served;
    expect(server.stats().connections).toBe(0);
  });

  it('listen() on a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p9-unix-'));
    const server = createServer({ fs: memFs() });
    const path = join(dir, 'p9.sock');
    await server.listen(`unix:${path}`);
    const client = await connect(`unix:${path}`);
    expect((await client.stat('motd')).size).toBe(6n);
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes connections beyond maxConnections and keeps the others', async () => {
    const server = createServer({ fs: memFs(), maxConnections: 2 });
    const a = await server.listen('tcp:127.0.0.1:0');
    const address = `tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`;
    const c1 = await connect(address);
    const c2 = await connect(address);
    await expect(connect(address)).rejects.toThrow();
    expect(server.stats().rejectedConnections).toBe(1);
    expect((await c1.readFile('motd')).length).toBe(6);
    c1.close();
    c2.close();
    await server.close();
  });

  it('rejects bad options with a typed error naming the option', () => {
    expect(() => createServer({ fs: memFs(), maxFids: 0 })).toThrow(InvalidOptionError);
    expect(() => createServer({ fs: memFs(), maxFids: 0 })).toThrow(/maxFids/);
    expect(() => createServer({} as never)).toThrow(/fs/);
  });

  it('negotiates msize down to what the client asks and refuses tiny ones', async () => {
    const server = createServer({ fs: memFs() });
    const a = await server.listen('tcp:127.0.0.1:0');
    const port = a.kind === 'tcp' ? a.port : 0;
    const small = await connect(`tcp:127.0.0.1:${port}`, { msize: 8192 });
    expect(small.msize).toBe(8192);
    expect((await small.readFile('motd')).toString()).toBe('hello\n');
    small.close();
    await expect(connect(`tcp:127.0.0.1:${port}`, { msize: 100 })).rejects.toThrow(/EINVAL/);
    await server.close();
  });
});
