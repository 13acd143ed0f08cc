import { describe, expect, it } from 'vitest';
import { agentResync, hostResync } from '../../src/rpc/resync.js';
import { duplexPair } from '../helpers.js';

describe('sync preamble', () => {
  it('drops stale bytes both ways (including stale TLS records) before the real data', async () => {
    const [hostEnd, agentEnd] = duplexPair();
    // What a previous session left in the pipe, both directions.
    hostEnd.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    hostEnd.write(Buffer.from('\xffMVSYNC:0123456789abcdef0123456789abcdef\n', 'latin1'));
    agentEnd.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x02, 9, 9]));
    agentEnd.write('MVACK:ffffffffffffffffffffffffffffffff\n');

    const agent = agentResync(agentEnd);
    const agentGot: Buffer[] = [];
    agent.on('data', (chunk: Buffer) => agentGot.push(chunk));
    const host = await hostResync(hostEnd, 5000);
    const hostGot: Buffer[] = [];
    host.on('data', (chunk: Buffer) => hostGot.push(chunk));

    host.write(Buffer.from([0x16, 0x03, 0x01, 0xaa]));
    agent.write(Buffer.from([0x16, 0x03, 0x03, 0xbb]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Buffer.concat(agentGot)).toEqual(Buffer.from([0x16, 0x03, 0x01, 0xaa]));
    expect(Buffer.concat(hostGot)).toEqual(Buffer.from([0x16, 0x03, 0x03, 0xbb]));
  });

  it('times out when nobody answers', async () => {
    const [hostEnd] = duplexPair();
    await expect(hostResync(hostEnd, 50)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
