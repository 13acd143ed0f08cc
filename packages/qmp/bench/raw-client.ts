import { createConnection, type Socket } from 'node:net';

/**
 * The baseline: the least a QMP client can do. Writes a JSON line, reads lines, counts
 * replies; no ids, no parsing beyond finding newlines, no events. Used only by the bench.
 */
export class RawQmpClient {
  private buffer = '';
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl = this.buffer.indexOf('\n');
      while (nl !== -1) {
        this.buffer = this.buffer.slice(nl + 1);
        this.waiters.shift()?.();
        nl = this.buffer.indexOf('\n');
      }
    });
  }

  static async connect(path: string, oob = false): Promise<RawQmpClient> {
    const socket = createConnection({ path });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new RawQmpClient(socket);
    await client.line(); // greeting
    await client.send(
      oob
        ? '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}'
        : '{"execute":"qmp_capabilities"}',
    );
    return client;
  }

  private line(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends one command line and resolves at the next line received. */
  send(json: string): Promise<void> {
    const reply = this.line();
    this.socket.write(`${json}\n`);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}
