import net from 'node:net';
import { decodeMessage, encodeMessage } from '../../../src/protocol/codec.js';
import { FrameDecoder } from '../../../src/protocol/framer.js';
import type { Message } from '../../../src/protocol/messages.js';

/** A raw 9P connection for tests: send any bytes, see every reply and whether it closed. */
export class RawConn {
  readonly replies: Message[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder(1 << 21);
  private waiters: (() => void)[] = [];

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) this.replies.push(decodeMessage(f));
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawConn> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((r, j) => {
      sock.once('connect', r);
      sock.once('error', j);
    });
    return new RawConn(sock);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(m: Message | Buffer): void {
    this.sock.write(Buffer.isBuffer(m) ? m : encodeMessage(m));
  }

  /** Waits until `pred` holds (or the connection closes, or 5 s pass). */
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred() && !this.closed && Date.now() < end) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  reply(tag: number): Message | undefined {
    return this.replies.find((r) => r.tag === tag);
  }

  async rpc(m: Message): Promise<Message> {
    this.send(m);
    await this.until(() => this.reply(m.tag) !== undefined);
    const r = this.reply(m.tag);
    if (!r) throw new Error(`no reply to ${m.type} tag ${m.tag}${this.closed ? ' (closed)' : ''}`);
    this.replies.splice(this.replies.indexOf(r), 1);
    return r;
  }

  async handshake(msize = 65536): Promise<void> {
    await this.rpc({ type: 'Tversion', tag: 0xffff, msize, version: '9P2000.L' });
    await this.rpc({
      type: 'Tattach',
      tag: 1,
      fid: 0,
      afid: 0xffffffff,
      uname: 'root',
      aname: '',
      nUname: 0,
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
