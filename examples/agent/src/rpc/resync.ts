import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { AgentError, TimeoutError } from '../errors.js';

/**
 * A plain-text preamble before TLS, for transports without connection boundaries (a
 * virtio-serial port keeps bytes a previous host left behind, in both directions). Like
 * qemu-ga's guest-sync: the host sends `\xffMVSYNC:<nonce>\n` (again every second), the agent
 * answers `MVACK:<nonce>\n` to each sync it sees, and each side drops everything before TLS's
 * first byte (0x16, a handshake record; never part of a sync line), so stale bytes on either
 * side cannot reach TLS. Nothing here is trusted: TLS authenticates what follows.
 */
const TLS_HANDSHAKE = 0x16;
const SYNC = /\xffMVSYNC:([0-9a-f]{32})\n/g;
const KEEP = 256; // bytes of an unfinished line kept between chunks

/** Drops inbound bytes until `start` says where the real data begins; writes pass through. */
class Gate extends Duplex {
  #open = false;

  constructor(
    private readonly inner: Duplex,
    private readonly scan: (chunk: Buffer) => number,
  ) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => this.#receive(chunk));
    inner.once('end', () => this.push(null));
    inner.once('close', () => this.destroy());
    inner.on('error', (error) => this.destroy(error));
  }

  /** Feeds bytes that were read before the gate existed. */
  feed(chunk: Buffer): void {
    if (chunk.length > 0) this.#receive(chunk);
  }

  #receive(chunk: Buffer): void {
    if (!this.#open) {
      const start = this.scan(chunk);
      if (start < 0) return;
      this.#open = true;
      chunk = chunk.subarray(start);
    }
    if (!this.push(chunk)) this.inner.pause();
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(
    chunk: Buffer,
    encoding: BufferEncoding,
    callback: (e?: Error | null) => void,
  ): void {
    this.inner.write(chunk, encoding, callback);
  }

  override _final(callback: (e?: Error | null) => void): void {
    this.inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}

/**
 * The agent side: acks every sync; TLS begins at the first 0x16 after a sync (a stale
 * ClientHello before it is dropped with the rest).
 */
export function agentResync(stream: Duplex): Duplex {
  let pending = '';
  let synced = false;
  return new Gate(stream, (chunk) => {
    const text = pending + chunk.toString('latin1');
    let lastEnd = 0;
    for (const match of text.matchAll(SYNC)) {
      stream.write(`MVACK:${match[1]}\n`);
      synced = true;
      lastEnd = (match.index ?? 0) + match[0].length;
    }
    // A 0x16 in the kept tail was already refused; look only at new bytes past the last sync.
    const tls = synced ? text.indexOf('\x16', Math.max(pending.length, lastEnd)) : -1;
    if (tls >= 0) return tls - pending.length;
    pending = text.slice(Math.max(lastEnd, text.length - KEEP));
    return -1;
  });
}

/** The host side: syncs, waits for its own ack, then returns the stream for TLS. */
export function hostResync(stream: Duplex, timeout = 30_000): Promise<Duplex> {
  const nonce = randomBytes(16).toString('hex');
  const ack = `MVACK:${nonce}\n`;
  const sync = Buffer.concat([Buffer.from([0xff]), Buffer.from(`MVSYNC:${nonce}\n`)]);
  return new Promise((resolve, reject) => {
    let seen = '';
    const send = () => stream.write(sync);
    const repeat = setInterval(send, 1000);
    const timer = setTimeout(() => finish(new TimeoutError('agent sync', timeout)), timeout);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('latin1')).slice(-(KEEP + chunk.length));
      const at = seen.indexOf(ack);
      if (at < 0) return;
      finish(undefined, Buffer.from(seen.slice(at + ack.length), 'latin1'));
    };
    const onClose = () =>
      finish(new AgentError('CLOSED', 'the channel closed during the agent sync'));
    const finish = (error?: Error, rest?: Buffer) => {
      clearInterval(repeat);
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('close', onClose);
      if (error) {
        reject(error);
        return;
      }
      stream.pause();
      const gate = new Gate(stream, (chunk) => chunk.indexOf(TLS_HANDSHAKE));
      gate.feed(rest ?? Buffer.alloc(0));
      resolve(gate);
    };
    stream.on('data', onData);
    stream.once('close', onClose);
    send();
  });
}
