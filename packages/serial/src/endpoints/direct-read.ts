import { readSync } from 'node:fs';
import { SerialPort } from 'serialport';

/**
 * What `serialport`'s Unix port binding exposes at run time: the fd (opened O_NONBLOCK by the
 * binding) and the epoll-backed poller that says when it is readable.
 */
interface UnixPortBinding {
  fd: number | null;
  poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
  read(
    buffer: Buffer,
    offset: number,
    length: number,
  ): Promise<{ bytesRead: number; buffer: Buffer }>;
}

type ReadResult = { bytesRead: number; buffer: Buffer };

function isUnixPortBinding(port: unknown): port is UnixPortBinding {
  if (typeof port !== 'object' || port === null) return false;
  const { fd, poller } = port as { fd?: unknown; poller?: { once?: unknown } };
  return typeof fd === 'number' && typeof poller?.once === 'function';
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error the binding throws once the port is closed; the stream treats it as a cancel. */
function portClosed(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

/**
 * Reads what is waiting on a non-blocking fd, up to `length` bytes, with plain `read(2)` calls
 * on the main thread; 0 when nothing is waiting. A pty hands out at most ~4 KB per read, so
 * several reads fill one stream chunk.
 */
export function readWaiting(fd: number, buffer: Buffer, offset: number, length: number): number {
  let total = 0;
  while (total < length) {
    let count: number;
    try {
      count = readSync(fd, buffer, offset + total, length - total, null);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') break;
      // Bytes already read are delivered first; the error comes back on the next read.
      if (total > 0) break;
      // The same disconnect test as serialport's own unixRead, so the stream reacts alike.
      if (code === 'EBADF' || code === 'ENXIO' || code === 'UNKNOWN')
        Object.assign(error as object, { disconnect: true });
      throw error;
    }
    if (count === 0) break;
    total += count;
  }
  return total;
}

/**
 * `serialport`'s Unix binding runs every read through libuv's thread pool (`fs.read`): one
 * round trip per ~4 KB a pty hands out, plus one more that ends in EAGAIN before it polls. The fd
 * is already non-blocking and the binding already polls it with epoll, so reading it directly
 * when the poller says so costs a system call instead of two thread hand-offs per chunk.
 */
export function readDirectly(port: UnixPortBinding) {
  return async (buffer: Buffer, offset: number, length: number): Promise<ReadResult> => {
    for (;;) {
      const fd = port.fd;
      if (fd === null) throw portClosed();
      const bytesRead = readWaiting(fd, buffer, offset, length);
      if (bytesRead > 0) return { bytesRead, buffer };
      await new Promise<void>((resolve, reject) =>
        port.poller.once('readable', (error) => (error ? reject(error) : resolve())),
      );
    }
  };
}

/** The part of a `serialport` binding that `SerialPortStream` calls before it has a port. */
interface PortOpener {
  list(): Promise<unknown[]>;
  open(options: object): Promise<unknown>;
}

const detectedBinding: PortOpener = SerialPort.binding;

/**
 * `serialport`'s own binding (it opens, locks and configures the port: baud rate, flow
 * control, framing; it writes, drains and closes) with only `read` replaced by `readDirectly`.
 * Bindings without a Unix fd and poller are left as they are.
 */
export const directReadBinding: PortOpener = {
  list: () => detectedBinding.list(),
  async open(options) {
    const port = await detectedBinding.open(options);
    if (isUnixPortBinding(port)) port.read = readDirectly(port);
    return port;
  },
};
