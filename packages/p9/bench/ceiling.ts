import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

// The transport ceiling of the guest rows: raw TCP through the same QEMU user networking, in the
// same guest boot, with the same byte count as the 9P dd runs. The host side only moves and
// counts bytes; the guest times each transfer with /proc/uptime like the 9P rows, so both sides
// of a ratio are measured the same way: from the start until the guest knows the last byte
// arrived (EOF after it when receiving; the host's close after counting it when sending).

/** Host listeners the guest connects to (at 10.0.2.2), one connection each. */
export interface CeilingListeners {
  /** Sends `bytes` zeros to whoever connects, then closes: host to guest. */
  sendPort: number;
  /** Counts what the guest sends until the guest closes its side: guest to host. */
  receivePort: number;
  /** Bytes actually moved in each direction; rejects if a transfer broke or never came. */
  moved(): Promise<{ sent: number; received: number }>;
  close(): void;
}

const CHUNK = Buffer.alloc(1024 * 1024);

async function listenOnce(handle: (socket: Socket) => Promise<number>): Promise<{
  server: Server;
  port: number;
  bytes: Promise<number>;
}> {
  const server = createServer();
  const bytes = new Promise<number>((resolve, reject) => {
    let connected = false;
    server.once('connection', (socket) => {
      connected = true;
      server.close(); // one transfer per listener: a second connection is not ours to count
      handle(socket).then(resolve, reject);
    });
    server.once('close', () => {
      if (!connected) reject(new Error('ceiling listener closed before a transfer'));
    });
  });
  bytes.catch(() => {}); // observed through moved(); not an unhandled rejection meanwhile
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, bytes };
}

async function sendZeros(socket: Socket, total: number): Promise<number> {
  let sent = 0;
  const closed = once(socket, 'close'); // rejects on 'error' (a reset mid-transfer)
  while (sent < total) {
    const n = Math.min(CHUNK.length, total - sent);
    sent += n;
    if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
      await Promise.race([once(socket, 'drain'), closed]);
    }
  }
  socket.end();
  const [hadError] = (await closed) as [boolean];
  if (hadError) throw new Error(`ceiling: host to guest transfer broke after ${sent} bytes`);
  return sent;
}

async function countBytes(socket: Socket): Promise<number> {
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  // The guest shuts down its sending side after the last byte; with allowHalfOpen false the
  // socket then ends ours, and the guest's socat exits when it sees that close.
  await once(socket, 'end');
  return received;
}

export async function startCeilingListeners(bytes: number): Promise<CeilingListeners> {
  const send = await listenOnce((s) => sendZeros(s, bytes));
  const receive = await listenOnce(countBytes);
  return {
    sendPort: send.port,
    receivePort: receive.port,
    async moved() {
      const [sent, received] = await Promise.all([send.bytes, receive.bytes]);
      if (sent !== bytes || received !== bytes) {
        throw new Error(
          `ceiling: expected ${bytes} bytes each way, host sent ${sent} and received ${received}`,
        );
      }
      return { sent, received };
    },
    close() {
      send.server.close();
      receive.server.close();
    },
  };
}

/**
 * Guest shell lines timing both raw transfers (labels h = host to guest, g = guest to host).
 * socat with a 1 MiB buffer, not busybox nc: busybox's nc copies 1 KiB per read and select,
 * which under TCG would measure nc's syscall rate, not the network. The sending side reads
 * exactly `bytes` from /dev/zero (readbytes) and waits up to 120 s (-t) for the host to close,
 * so the time covers the last byte reaching the host, like dd's conv=fsync does for 9P.
 */
export function ceilingScript(
  l: { sendPort: number; receivePort: number },
  bytes: number,
  mark: (label: string) => string,
): string {
  return `
${mark('h0')}; socat -u -b 1048576 TCP:10.0.2.2:${l.sendPort} OPEN:/dev/null || echo "BENCH raw h-failed 0"; ${mark('h1')}
${mark('g0')}; socat -b 1048576 -t 120 OPEN:/dev/zero,readbytes=${bytes} TCP:10.0.2.2:${l.receivePort} || echo "BENCH raw g-failed 0"; ${mark('g1')}`;
}
