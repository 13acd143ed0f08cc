import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectUnix, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectHybrid } from '@multiverse-os/vsock';
import { FakeHybridMuxer } from '@multiverse-os/vsock/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAgent } from '../../src/agent/agent.js';
import { type AgentConfig, AgentConfigSchema } from '../../src/agent/config.js';
import { AgentClient } from '../../src/client/client.js';
import { generateIdentity, type Identity } from '../../src/tls/identity.js';
import { collectLines } from '../helpers.js';

// The agent protocol over real sockets instead of in-memory pipes: the agent on one end, the
// host client on the other, through a Unix socket and through hybrid vsock (the Unix-socket
// muxer of Firecracker / cloud-hypervisor, played by the vsock package's FakeHybridMuxer).
// Native vsock needs a kernel with vsock: it runs in a real guest (test/integration/).

/** One connection: the end the agent serves (the guest's) and the end the host dials. */
interface SocketPair {
  agentEnd: Socket;
  hostEnd: Socket;
  close(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'mv-agent-transports-'));
const agentLog = collectLines();
let hostKeys: Identity;
let config: AgentConfig;

beforeAll(async () => {
  const [host, portal] = await Promise.all([generateIdentity('host'), generateIdentity('portal')]);
  hostKeys = host;
  config = AgentConfigSchema.parse({
    identity: portal,
    hostCert: host.cert,
    allow: ['ping', 'exec', 'file.stat', 'profile'],
    paths: [dir],
  });
  writeFileSync(join(dir, 'probe.txt'), 'over a real socket\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function unixSocketPair(): Promise<SocketPair> {
  const path = join(dir, 'agent.sock');
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  const hostEnd = connectUnix(path);
  await new Promise<void>((resolve, reject) => {
    hostEnd.once('connect', resolve);
    hostEnd.once('error', reject);
  });
  return {
    agentEnd: await accepted,
    hostEnd,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function hybridVsockPair(): Promise<SocketPair> {
  const udsPath = join(dir, 'muxer.sock');
  const port = 52;
  const muxer = await FakeHybridMuxer.start({ udsPath });
  // The "guest" listens on vsock port 52; the host dials it through the muxer.
  const accepted = new Promise<Socket>((resolve) => muxer.listenGuest(port, resolve));
  const hostEnd = await connectHybrid(udsPath, port);
  expect(hostEnd.guestPort).toBe(port);
  return { agentEnd: await accepted, hostEnd, close: () => muxer.close() };
}

const transports = [
  { name: 'a Unix socket', open: unixSocketPair },
  { name: 'hybrid vsock (a Unix-socket muxer)', open: hybridVsockPair },
];

for (const { name, open } of transports)
  describe(`the agent over ${name}`, () => {
    it('handshakes with pinned keys, answers, streams exec output with credit, and closes', async () => {
      const pair = await open();
      try {
        const [session, client] = await Promise.all([
          serveAgent(pair.agentEnd, config, { log: agentLog.log }),
          AgentClient.connect(pair.hostEnd, {
            identity: hostKeys,
            portalCert: config.identity.cert,
          }),
        ]);

        const pong = await client.ping();
        expect(pong.replied).toBeGreaterThanOrEqual(pong.received);

        // 3 MB is many credit windows: the agent may only send what the host granted.
        const size = 3_000_000;
        const readBefore = pair.hostEnd.bytesRead;
        const big = client.exec({ command: 'head', args: ['-c', String(size), '/dev/zero'] });
        let bytes = 0;
        let nonZero = 0;
        for await (const chunk of big.stdout) {
          bytes += chunk.length;
          nonZero += chunk.filter((byte) => byte !== 0).length;
        }
        expect(bytes).toBe(size);
        expect(nonZero).toBe(0);
        expect((await big.result).exitCode).toBe(0);
        // It really crossed the socket (TLS records and frames add a little).
        expect(pair.hostEnd.bytesRead - readBefore).toBeGreaterThan(size);

        expect(await client.stat(join(dir, 'probe.txt'))).toMatchObject({
          type: 'file',
          size: 19,
        });
        expect((await client.profile()).node).toBe(process.version);

        const closedAt = Date.now();
        client.close();
        const record = await session.closed;
        expect(record.reason).toMatch(/closed/);
        expect(record.at).toBeGreaterThanOrEqual(closedAt - 1000);
        expect(session.peer.isClosed).toBe(true);
      } finally {
        pair.hostEnd.destroy();
        pair.agentEnd.destroy();
        await pair.close();
      }
    });

    it('refuses a host whose key the agent does not pin', async () => {
      const pair = await open();
      try {
        const stranger = await generateIdentity('stranger');
        const served = serveAgent(pair.agentEnd, config, { log: agentLog.log });
        const connected = AgentClient.connect(pair.hostEnd, {
          identity: stranger,
          portalCert: config.identity.cert,
          handshakeTimeout: 10_000,
        });
        await expect(served).rejects.toMatchObject({ code: 'TLS' });
        // TLS 1.3 clients finish before the server checks their certificate: the agent then
        // closes, and no call gets through.
        await expect(connected.then((client) => client.ping())).rejects.toMatchObject({
          code: expect.stringMatching(/^(CLOSED|TLS)$/),
        });
      } finally {
        pair.hostEnd.destroy();
        pair.agentEnd.destroy();
        await pair.close();
      }
    });
  });
