import { VsockStateError } from '../errors.js';

export interface ReleaseFdOptions {
  /**
   * Clear O_NONBLOCK on the handed-over fd (default true). Programs that inherit an fd (`cat`,
   * a shell's `read`, `mount -o trans=fd`) expect blocking reads and writes; pass false to
   * keep it non-blocking for an event loop of your own.
   */
  blocking?: boolean;
}

/** What `releaseFd()` looks at before it hands the fd over. */
export interface ReleaseSnapshot {
  destroyed: boolean;
  /** Connecting, or never connected (no fd yet). */
  connected: boolean;
  /** Bytes read from the socket and not yet consumed: they would be lost with the stream. */
  readableLength: number;
  /** Bytes accepted by write() and not yet written to the socket. */
  writableLength: number;
  /** Where, for the message: `vsock:CID:PORT`. */
  where: string;
}

/** The reason a socket cannot hand its fd over, or undefined when it can (no byte would be lost). */
export function releaseRefusal(s: ReleaseSnapshot): VsockStateError | undefined {
  const cannot = `releaseFd() on ${s.where}`;
  if (s.destroyed) return new VsockStateError('destroyed', `${cannot}: the socket is destroyed`);
  if (!s.connected)
    return new VsockStateError('not-connected', `${cannot}: the socket is not connected`);
  if (s.readableLength > 0) {
    return new VsockStateError(
      'buffered-data',
      `${cannot}: ${s.readableLength} bytes already read into the stream would be lost ` +
        '(hand the fd over before reading, e.g. connect with pauseOnConnect: true)',
    );
  }
  if (s.writableLength > 0) {
    return new VsockStateError(
      'pending-write',
      `${cannot}: ${s.writableLength} written bytes are not sent yet (wait for the write callback)`,
    );
  }
  return undefined;
}
