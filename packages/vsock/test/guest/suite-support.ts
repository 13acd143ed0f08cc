// Shared by the checks that run inside the guest (see native-suite.ts): result lines, the
// per-check timeout, and small servers and clients over CID 1.
import { connectAsync, createServer, type VsockServer, type VsockSocket } from '../../src/index.js';
import { sleep } from '../../src/testing/index.js';

export const LOOPBACK = 1;
export const largeBytes = Number(process.env.VSOCK_LARGE_BYTES ?? 256 * 1024 * 1024);
// 30 s, or enough for the large transfers at 2 MiB/s (TCG on a loaded machine; idle is ~15).
const CHECK_TIMEOUT = Math.max(30_000, (largeBytes / (2 * 1024 * 1024)) * 1000);

export function report(name: string, ok: boolean, detail: string, ms: number): void {
  console.log(`VSOCK-RESULT ${JSON.stringify({ name, ok, detail, ms })}`);
}

export async function check(name: string, run: () => Promise<string>): Promise<void> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no result within ${CHECK_TIMEOUT} ms`)),
      CHECK_TIMEOUT,
    );
  });
  try {
    report(name, true, await Promise.race([run(), timeout]), Date.now() - started);
  } catch (error) {
    report(
      name,
      false,
      error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      Date.now() - started,
    );
  } finally {
    clearTimeout(timer);
  }
}

export function closeServer(server: VsockServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export function echoServer(options: Parameters<typeof createServer>[0] = {}): VsockServer {
  return createServer(
    { allowHalfOpen: true, ...(typeof options === 'object' ? options : {}) },
    (socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    },
  );
}

export async function connectRetrying(port: number): Promise<VsockSocket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectAsync({ cid: LOOPBACK, port });
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(100);
    }
  }
}
