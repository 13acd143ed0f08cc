import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { RpcPeer } from '../../src/rpc/peer.js';
import { generateIdentity, type Identity } from '../../src/tls/identity.js';
import { acceptSecure, connectSecure } from '../../src/tls/secure-channel.js';
import { duplexPair } from '../helpers.js';

let host: Identity;
let portal: Identity;
let stranger: Identity;

beforeAll(async () => {
  [host, portal, stranger] = await Promise.all([
    generateIdentity('host'),
    generateIdentity('portal'),
    generateIdentity('stranger'),
  ]);
});

describe('secure channel', () => {
  it('authenticates both sides with pinned certificates and carries RPC over TLS 1.3', async () => {
    const [a, b] = duplexPair();
    const [client, server] = await Promise.all([
      connectSecure(a, { identity: host, peerCert: portal.cert }),
      acceptSecure(b, { identity: portal, peerCert: host.cert }),
    ]);
    expect(client.getProtocol()).toBe('TLSv1.3');
    const agent = new RpcPeer(server, { role: 'agent' });
    agent.handle('echo', async ({ params }) => params);
    const caller = new RpcPeer(client, { role: 'host' });
    expect(await caller.request('echo', { hi: 1 })).toEqual({ hi: 1 });
    caller.close();
  });

  it('refuses a host with the wrong key', async () => {
    const [a, b] = duplexPair();
    const results = await Promise.allSettled([
      connectSecure(a, { identity: stranger, peerCert: portal.cert }),
      acceptSecure(b, { identity: portal, peerCert: host.cert }),
    ]);
    expect(results[1].status).toBe('rejected');
    // TLS 1.3 clients finish before the server checks their certificate: the agent then
    // closes, and no call gets through.
    const [client] = results;
    if (client.status === 'fulfilled') {
      const caller = new RpcPeer(client.value, { role: 'host' });
      await expect(caller.request('echo', 1)).rejects.toMatchObject({ code: 'CLOSED' });
    }
  });

  it('refuses a portal with the wrong key', async () => {
    const [a, b] = duplexPair();
    const [client] = await Promise.allSettled([
      connectSecure(a, { identity: host, peerCert: portal.cert }),
      acceptSecure(b, { identity: stranger, peerCert: host.cert }),
    ]);
    expect(client.status).toBe('rejected');
    if (client.status === 'rejected')
      expect(String(client.reason)).toMatch(/TLS|certificate|pinned/);
  });

  it('refuses a host with no certificate at all', async () => {
    const { connect } = await import('node:tls');
    const [a, b] = duplexPair();
    const bare = connect({ socket: a, ca: [portal.cert], checkServerIdentity: () => undefined });
    bare.on('error', () => {});
    await expect(acceptSecure(b, { identity: portal, peerCert: host.cert })).rejects.toMatchObject({
      code: 'TLS',
    });
    bare.destroy();
  });

  it('refuses replayed handshake bytes of a good session', async () => {
    // Record what a genuine host sends, then replay it to a fresh agent.
    const [a, b] = duplexPair();
    const recorded: Buffer[] = [];
    b.on('data', (chunk: Buffer) => recorded.push(Buffer.from(chunk)));
    const [client, server] = await Promise.all([
      connectSecure(a, { identity: host, peerCert: portal.cert }),
      acceptSecure(b, { identity: portal, peerCert: host.cert }),
    ]);
    client.write('secret');
    await sleep(20);
    client.destroy();
    server.destroy();
    expect(recorded.length).toBeGreaterThan(0);

    const replay = new PassThrough();
    const sink = new PassThrough();
    const { Duplex } = await import('node:stream');
    const replayer = Duplex.from({ readable: replay, writable: sink });
    const accepted = acceptSecure(replayer, {
      identity: portal,
      peerCert: host.cert,
      timeout: 3000,
    });
    for (const chunk of recorded) replay.write(chunk);
    await expect(accepted).rejects.toMatchObject({ code: 'TLS' });
  });
});
