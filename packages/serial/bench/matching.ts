import { duplexPair } from '@multiverse-os/vsock/testing';
import { Console } from '../src/index.js';

/** Ten patterns that never match the generated text, some nearly (same prefixes). */
export const PATTERNS = [
  'Kernel panic - not syncing',
  'login: ',
  /Oops: \d{4}/,
  /BUG: unable to handle/,
  'root@vm:~$ exit',
  /__MVE_[0-9a-f]{12}:\d+__/,
  /segfault at [0-9a-f]+ ip/,
  'virtio_net virtio9 eth0: link down',
  /Call Trace:\s*<TASK>/,
  'mv-image: init script exited',
];

/**
 * Feeds `total` bytes of `chunk` repeated through a Console with one `expect` of ten patterns
 * pending, and returns MB/s and the highest heap growth seen.
 */
export async function scan(chunk: Buffer, total: number) {
  const [ours, peer] = duplexPair();
  const console = new Console(ours, { timeout: 600_000 });
  const pending = console.expect(PATTERNS).then(
    () => {
      throw new Error('a benchmark pattern matched the generated text');
    },
    (error: { code?: string }) => error.code,
  );
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = 0;
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < total; sent += chunk.length) {
    peer.write(chunk);
    // Let the Console take the chunk before the next one, as a socket would.
    await new Promise((resolve) => setImmediate(resolve));
    if ((sent / chunk.length) % 64 === 0)
      peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (console.bytesReceived !== Math.ceil(total / chunk.length) * chunk.length)
    throw new Error('the console did not see every byte');
  console.close();
  if ((await pending) !== 'CONSOLE_CLOSED') throw new Error('expect did not end with the console');
  return { mbps: total / 1e6 / seconds, heapGrowthMB: peak / 1e6 };
}
