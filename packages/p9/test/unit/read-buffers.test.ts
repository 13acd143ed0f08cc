import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { OpenFlags } from '../../src/protocol/constants.js';
import { releaseReadBuffer, takeReadBuffer } from '../../src/server/read-buffers.js';
import { createServer } from '../../src/server/server.js';

const dir = mkdtempSync(join(tmpdir(), 'p9-readbuf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('read buffer pool', () => {
  it('hands a large buffer back out once it is released, and only then', () => {
    const a = takeReadBuffer(200_000);
    expect(a.length).toBe(200_000);
    const b = takeReadBuffer(200_000);
    expect(b.buffer).not.toBe(a.buffer);
    releaseReadBuffer(a.subarray(0, 10));
    const c = takeReadBuffer(150_000);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(150_000);
    releaseReadBuffer(b);
    releaseReadBuffer(b); // a second release is ignored
    const d = takeReadBuffer(200_000);
    const e = takeReadBuffer(200_000);
    expect(d.buffer).toBe(b.buffer);
    expect(e.buffer).not.toBe(b.buffer);
  });

  it('leaves small reads and foreign buffers alone', () => {
    const small = takeReadBuffer(1000);
    releaseReadBuffer(small);
    const next = takeReadBuffer(1000);
    // Small reads come from Node's shared pool: a different region, never the same one again.
    expect(next.buffer === small.buffer && next.byteOffset === small.byteOffset).toBe(false);
    const foreign = Buffer.allocUnsafeSlow(1 << 20);
    releaseReadBuffer(foreign);
    expect(takeReadBuffer(1 << 20).buffer).not.toBe(foreign.buffer);
  });

  it('keeps concurrent large reads apart while buffers are reused', async () => {
    // 64 blocks of 192 KiB, each filled with its own byte; 16 reads in flight at a time.
    const block = 192 * 1024;
    const content = Buffer.concat(Array.from({ length: 64 }, (_, i) => Buffer.alloc(block, i)));
    writeFileSync(join(dir, 'blocks'), content);
    const server = createServer({ fs: new LocalFs(dir) });
    const address = await server.listen('tcp:127.0.0.1:0');
    const client = await connect(`tcp:127.0.0.1:${address.kind === 'tcp' ? address.port : 0}`);
    try {
      const fid = await client.walk('blocks');
      await client.open(fid, OpenFlags.RDONLY);
      for (let round = 0; round < 3; round++) {
        const order = Array.from({ length: 64 }, (_, i) => (i * 37 + round) % 64);
        for (let i = 0; i < order.length; i += 16) {
          const batch = order.slice(i, i + 16);
          const replies = await Promise.all(
            batch.map((n) => client.read(fid, BigInt(n * block), block)),
          );
          replies.forEach((data, k) => {
            expect(data.length).toBe(block);
            expect(data.equals(Buffer.alloc(block, batch[k]))).toBe(true);
          });
        }
      }
    } finally {
      client.close();
      await server.close();
    }
  });
});
