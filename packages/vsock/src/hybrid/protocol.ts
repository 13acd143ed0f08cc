/**
 * The hybrid vsock handshake of Firecracker and cloud-hypervisor, as bytes. Pure: no I/O.
 *
 * Host-initiated: connect to the muxer's Unix socket, send `CONNECT <port>\n`, read
 * `OK <hostport>\n`; after that the stream is the guest connection. Guest-initiated
 * connections arrive on the Unix socket `<udsPath>_<port>` with no handshake.
 */

/** The longest acknowledgement we wait for; a muxer says `OK 4294967295\n` at most. */
export const MAX_ACK_LENGTH = 32;

export function encodeConnect(port: number): Buffer {
  return Buffer.from(`CONNECT ${port}\n`, 'ascii');
}

/** `OK <hostport>` (without the newline) -> the host-side port, or undefined if malformed. */
export function parseAck(line: string): number | undefined {
  const match = /^OK ([0-9]{1,10})$/.exec(line);
  if (!match) return undefined;
  const port = Number(match[1]);
  return port <= 0xffff_ffff ? port : undefined;
}

/** `CONNECT <port>` (without the newline) -> the port, or undefined if malformed (muxer side). */
export function parseConnect(line: string): number | undefined {
  const match = /^CONNECT ([0-9]{1,10})$/.exec(line);
  if (!match) return undefined;
  const port = Number(match[1]);
  return port <= 0xffff_ffff ? port : undefined;
}

export function encodeAck(hostPort: number): Buffer {
  return Buffer.from(`OK ${hostPort}\n`, 'ascii');
}

/** The path guest-initiated connections to `port` arrive on. */
export function guestListenPath(udsPath: string, port: number): string {
  return `${udsPath}_${port}`;
}

export type LineResult =
  | { state: 'more'; buffered: Buffer }
  | { state: 'line'; line: string; rest: Buffer }
  | { state: 'too-long'; buffered: Buffer };

/**
 * Accumulates handshake bytes until the first `\n`; any chunking works. `rest` is what came
 * after the line: the first bytes of the connection itself, to give back to the stream.
 */
export function takeLine(buffered: Buffer, chunk: Buffer, maxLength = MAX_ACK_LENGTH): LineResult {
  // Only the first maxLength + 1 bytes can hold the line: a huge chunk is not copied whole
  // when no newline comes in time (`buffered` of a too-long result is at most that much).
  const newlineInChunk = chunk.indexOf(0x0a);
  if (newlineInChunk < 0 || buffered.length + newlineInChunk > maxLength) {
    const room = maxLength + 1 - buffered.length;
    if (chunk.length >= room) {
      return { state: 'too-long', buffered: Buffer.concat([buffered, chunk.subarray(0, room)]) };
    }
  }
  const all = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
  const newline = all.indexOf(0x0a);
  if (newline < 0) {
    return all.length > maxLength
      ? { state: 'too-long', buffered: all }
      : { state: 'more', buffered: all };
  }
  if (newline > maxLength) return { state: 'too-long', buffered: all };
  return {
    state: 'line',
    line: all.subarray(0, newline).toString('latin1'),
    rest: all.subarray(newline + 1),
  };
}
