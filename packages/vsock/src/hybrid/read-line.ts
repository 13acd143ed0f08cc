import type { Socket } from 'node:net';
import type { LineResult } from './protocol.js';
import { takeLine } from './protocol.js';

/** What `readHandshakeLine` reports once: the line (and what followed it), or too long. */
export type HandshakeLine = Exclude<LineResult, { state: 'more' }>;

/**
 * Reads the first `\n`-terminated line of a hybrid vsock connection (the muxer's `OK` on the
 * host side, the `CONNECT` request on the muxer's side) and reports it once. Paused-mode reads
 * ('readable' + read()), so the socket is handed over neither flowing nor paused: a consumer's
 * 'data' listener or pipe() then starts it as usual. The bytes after the line come back in
 * `rest`, for the caller to `unshift` once it has answered. Returns a function that stops
 * reading (when the caller gives up first: timeout, abort, close).
 */
export function readHandshakeLine(
  socket: Socket,
  maxLength: number,
  onLine: (result: HandshakeLine) => void,
): () => void {
  let buffered: Buffer = Buffer.alloc(0);
  let done = false;
  const stop = () => {
    done = true;
    socket.off('readable', onReadable);
  };
  const onReadable = () => {
    while (!done) {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) break;
      const result = takeLine(buffered, chunk, maxLength);
      if (result.state === 'more') {
        buffered = result.buffered;
        continue;
      }
      stop();
      onLine(result);
    }
  };
  socket.on('readable', onReadable);
  return stop;
}
