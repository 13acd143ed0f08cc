import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAddress, connectHybrid, listenAddress } from '../../src/index.js';
import {
  type ConformanceResult,
  type ConformanceTarget,
  conformanceCases,
  FakeHybridMuxer,
  runConformance,
} from '../../src/testing/index.js';

// The shared conformance suite over the transports a host can test by itself: Unix sockets,
// TCP on 127.0.0.1 and hybrid vsock (through the fake muxer). Native vsock runs the very same
// cases inside a guest (native-guest.test.ts).

const dir = mkdtempSync(join(tmpdir(), 'mv-vsock-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function netServer(listen: (server: Server, done: () => void) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true });
    server.once('error', reject);
    listen(server, () => resolve(server));
  });
}

const targets: ConformanceTarget[] = [
  {
    name: 'unix',
    async listen(onConnection) {
      const path = join(dir, 'unix.sock');
      const server = (await listenAddress(`unix:${path}`, onConnection, {
        allowHalfOpen: true,
      })) as Server;
      return { connect: () => connectAddress(`unix:${path}`), close: () => closeServer(server) };
    },
  },
  {
    name: 'tcp',
    async listen(onConnection) {
      const server = (await listenAddress('tcp:127.0.0.1:0', onConnection, {
        allowHalfOpen: true,
      })) as Server;
      const { port } = server.address() as AddressInfo;
      return {
        connect: () => connectAddress(`tcp:127.0.0.1:${port}`),
        close: () => closeServer(server),
      };
    },
  },
  {
    name: 'hybrid host-initiated (fake muxer)',
    async listen(onConnection) {
      const muxer = await FakeHybridMuxer.start({ udsPath: join(dir, 'hybrid.sock') });
      muxer.listenGuest(1024, onConnection);
      return {
        connect: () => connectAddress(`hybrid:${muxer.udsPath}:1024`),
        close: () => muxer.close(),
      };
    },
  },
  {
    name: 'hybrid guest-initiated (fake muxer)',
    async listen(onConnection) {
      const muxer = await FakeHybridMuxer.start({ udsPath: join(dir, 'hybrid-g.sock') });
      const server = (await listenAddress(`hybrid:${muxer.udsPath}:7000`, onConnection, {
        allowHalfOpen: true,
      })) as Server;
      return {
        connect: () => muxer.connectFromGuest(7000),
        close: async () => {
          await closeServer(server);
          await muxer.close();
        },
      };
    },
  },
];

describe.each(targets)('conformance over $name', (target) => {
  let results: Promise<ConformanceResult[]> | undefined;
  const run = () => {
    results ??= runConformance(target, { largeBytes: 32 * 1024 * 1024, concurrent: 200 });
    return results;
  };
  it.each(conformanceCases.map((c) => c.name))('%s', async (name) => {
    const result = (await run()).find((r) => r.name === name);
    expect(result, `no result for ${name}`).toBeDefined();
    expect(result?.detail).toBeTypeOf('string');
    expect(result?.ok, result?.detail).toBe(true);
  });
});

describe('address connect errors', () => {
  it('a refused TCP port rejects with ECONNREFUSED', async () => {
    const server = await netServer((s, done) => s.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await closeServer(server);
    await expect(connectAddress(`tcp:127.0.0.1:${port}`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('a missing Unix socket rejects with ENOENT, and a hybrid one with a typed error', async () => {
    await expect(connectAddress(`unix:${join(dir, 'none')}`)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(connectHybrid(join(dir, 'none'), 5)).rejects.toMatchObject({
      code: 'ERR_HYBRID_SOCKET_NOT_FOUND',
    });
  });

  it('an already aborted signal rejects at once', async () => {
    const server = await netServer((s, done) => s.listen(join(dir, 'abort.sock'), done));
    await expect(
      connectAddress(`unix:${join(dir, 'abort.sock')}`, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      code: 'ABORT_ERR',
    });
    await closeServer(server);
    // A connection that never gets made does not leave a socket behind.
    expect(createConnection).toBeTypeOf('function');
  });
});
