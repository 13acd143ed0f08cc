import { connect, type P9Client } from '../src/client/p9-client.js';
import { GetattrMask, OpenFlags } from '../src/protocol/constants.js';

/** Runs `op` with `depth` requests in flight for `ms` milliseconds; returns completed ops/s. */
async function saturate(op: () => Promise<unknown>, depth: number, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await op();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: depth }, lane));
  return done / ((performance.now() - start) / 1000);
}

export interface LoopbackResult {
  getattrPerSec: number;
  readMBps: number;
  msize: number;
}

/** getattr/s and 64 KiB sequential-read MB/s against a server exporting `file` (16 MiB+). */
export async function loopback(
  address: string,
  aname: string,
  file: string,
  ms: number,
): Promise<LoopbackResult> {
  const client: P9Client = await connect(address, { aname, uid: 0, msize: 1024 * 1024 });
  try {
    const statFid = await client.walk(file);
    await client.getattr(statFid);
    const getattrPerSec = await saturate(() => client.getattr(statFid, GetattrMask.BASIC), 8, ms);
    const readFid = await client.walk(file);
    await client.open(readFid, OpenFlags.RDONLY);
    // diod caps msize at 64 KiB, so its largest read is 64 KiB minus the 24-byte I/O header.
    const chunk = Math.min(64 * 1024, client.msize - 24);
    const span = chunk * 256;
    let offset = 0;
    const readsPerSec = await saturate(
      async () => {
        const at = offset;
        offset = (offset + chunk) % span;
        const r = await client.conn.rpc({
          type: 'Tread',
          fid: readFid,
          offset: BigInt(at),
          count: chunk,
        });
        if (r.data.length !== chunk) throw new Error(`short read ${r.data.length}`);
      },
      4,
      ms,
    );
    return { getattrPerSec, readMBps: (readsPerSec * chunk) / 1e6, msize: client.msize };
  } finally {
    client.close();
  }
}
