import { LibvirtProtocolError } from '../errors.js';
import { VIR_NET_MESSAGE_LEN_MAX } from '../generated/virnet.js';
import { decodeHeader, MAX_PACKET_SIZE, PACKET_OVERHEAD, type Packet } from './packet.js';

/**
 * Splits a byte stream into packets, whatever the chunking. Once the length word is known the
 * packet's buffer is allocated at its final size (bounded by `maxPacketSize`) and filled as
 * bytes come, so a large packet in small chunks costs no repeated copying.
 *
 * After `push` throws (a length out of bounds, an unknown type or status), the stream is out
 * of sync and the decoder refuses further input: close the connection.
 */
export class PacketDecoder {
  private readonly lengthWord = new Uint8Array(VIR_NET_MESSAGE_LEN_MAX);
  private lengthFilled = 0;
  private packet: Uint8Array | undefined;
  private packetFilled = 0;
  private failed: LibvirtProtocolError | undefined;

  constructor(readonly maxPacketSize = MAX_PACKET_SIZE) {
    if (
      !Number.isInteger(maxPacketSize) ||
      maxPacketSize < PACKET_OVERHEAD ||
      maxPacketSize > MAX_PACKET_SIZE
    ) {
      throw new RangeError(
        `maxPacketSize must be an integer in [${PACKET_OVERHEAD}, ${MAX_PACKET_SIZE}]`,
      );
    }
  }

  /** Bytes of an incomplete packet held so far. */
  get pending(): number {
    return this.lengthFilled + this.packetFilled;
  }

  /** Feeds a chunk; returns the packets it completes, in order. */
  push(chunk: Uint8Array): Packet[] {
    if (this.failed) throw this.failed;
    const out: Packet[] = [];
    let at = 0;
    try {
      while (at < chunk.length) {
        if (this.packet === undefined) {
          const n = Math.min(VIR_NET_MESSAGE_LEN_MAX - this.lengthFilled, chunk.length - at);
          this.lengthWord.set(chunk.subarray(at, at + n), this.lengthFilled);
          this.lengthFilled += n;
          at += n;
          if (this.lengthFilled < VIR_NET_MESSAGE_LEN_MAX) break;
          const length = new DataView(this.lengthWord.buffer).getUint32(0);
          if (length < PACKET_OVERHEAD) {
            throw new LibvirtProtocolError(
              `packet length ${length} is below the minimum of ${PACKET_OVERHEAD} (length word + header)`,
            );
          }
          if (length > this.maxPacketSize) {
            throw new LibvirtProtocolError(
              `packet length ${length} exceeds the maximum of ${this.maxPacketSize}`,
            );
          }
          this.packet = new Uint8Array(length - VIR_NET_MESSAGE_LEN_MAX);
          this.packetFilled = 0;
        }
        const n = Math.min(this.packet.length - this.packetFilled, chunk.length - at);
        this.packet.set(chunk.subarray(at, at + n), this.packetFilled);
        this.packetFilled += n;
        at += n;
        if (this.packetFilled === this.packet.length) {
          const body = this.packet;
          this.packet = undefined;
          this.packetFilled = 0;
          this.lengthFilled = 0;
          out.push({
            header: decodeHeader(body),
            payload: body.subarray(PACKET_OVERHEAD - VIR_NET_MESSAGE_LEN_MAX),
          });
        }
      }
    } catch (error) {
      this.failed =
        error instanceof LibvirtProtocolError
          ? error
          : new LibvirtProtocolError(String(error), { cause: error });
      throw this.failed;
    }
    return out;
  }
}
