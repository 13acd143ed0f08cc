import { connect, type Socket } from 'node:net';

/**
 * The least QMP needed by the tests (the qmp package is separate): connect, negotiate
 * capabilities, run commands one at a time, skip events.
 */
export class RawQmp {
  readonly #socket: Socket;
  #buffer = '';
  #waiters: ((message: Record<string, unknown>) => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let nl = this.#buffer.indexOf('\n'); nl !== -1; nl = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, nl).trim();
        this.#buffer = this.#buffer.slice(nl + 1);
        if (!line) continue;
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('event' in message) continue;
        this.#waiters.shift()?.(message);
      }
    });
  }

  static async open(path: string): Promise<RawQmp> {
    const socket = connect({ path });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const qmp = new RawQmp(socket);
    await qmp.#next(); // greeting
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  #next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const reply = this.#next();
    this.#socket.write(`${JSON.stringify({ execute: command, arguments: args })}\n`);
    const message = await reply;
    if ('error' in message) throw new Error(`QMP ${command}: ${JSON.stringify(message.error)}`);
    return message.return;
  }

  close(): void {
    this.#socket.destroy();
  }
}
