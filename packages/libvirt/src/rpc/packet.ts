import { LibvirtProtocolError } from '../errors.js';
import {
  VIR_NET_MESSAGE_HEADER_MAX,
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
  VirNetMessageStatus,
  VirNetMessageType,
} from '../generated/virnet.js';

/**
 * One packet of libvirt's RPC protocol (docs: rpc.rst): a 4-byte length that counts itself,
 * a 24-byte header (program, version, procedure, type, serial, status) and the payload.
 */
export interface PacketHeader {
  program: number;
  version: number;
  procedure: number;
  type: VirNetMessageType;
  serial: number;
  status: VirNetMessageStatus;
}

export interface Packet {
  header: PacketHeader;
  /** The bytes after the header: XDR for calls, replies and messages, raw data for streams. */
  payload: Uint8Array;
}

/** Bytes before the payload: the length word and the header. */
export const PACKET_OVERHEAD = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;

/** libvirt's own bound: a packet after its length word is at most VIR_NET_MESSAGE_MAX bytes. */
export const MAX_PACKET_SIZE = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_MAX;

const TYPES = new Set<number>(Object.values(VirNetMessageType));
const STATUSES = new Set<number>(Object.values(VirNetMessageStatus));

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(VirNetMessageType).map(([k, v]) => [v, k]),
);

export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/**
 * Reads the 24-byte header at `bytes[0..24)`; throws `LibvirtProtocolError` for a type or status
 * libvirt does not define.
 */
export function decodeHeader(bytes: Uint8Array): PacketHeader {
  if (bytes.length < VIR_NET_MESSAGE_HEADER_MAX) {
    throw new LibvirtProtocolError(`packet header needs 24 bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, VIR_NET_MESSAGE_HEADER_MAX);
  const type = view.getInt32(12);
  const status = view.getInt32(20);
  if (!TYPES.has(type)) throw new LibvirtProtocolError(`packet has unknown message type ${type}`);
  if (!STATUSES.has(status)) throw new LibvirtProtocolError(`packet has unknown status ${status}`);
  return {
    program: view.getUint32(0),
    version: view.getUint32(4),
    procedure: view.getInt32(8),
    type: type as VirNetMessageType,
    serial: view.getUint32(16),
    status: status as VirNetMessageStatus,
  };
}

/**
 * Frames a packet: length word, header, payload. Throws `LibvirtProtocolError` when the
 * packet would exceed `maxSize` (libvirt's limit by default), which the daemon would refuse.
 */
export function encodePacket(
  header: PacketHeader,
  payload: Uint8Array = new Uint8Array(0),
  maxSize = MAX_PACKET_SIZE,
): Buffer {
  const length = PACKET_OVERHEAD + payload.length;
  if (length > maxSize) {
    throw new LibvirtProtocolError(
      `packet of ${length} bytes exceeds the maximum of ${maxSize} (procedure ${header.procedure})`,
    );
  }
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(header.program >>> 0, 4);
  out.writeUInt32BE(header.version >>> 0, 8);
  out.writeInt32BE(header.procedure, 12);
  out.writeInt32BE(header.type, 16);
  out.writeUInt32BE(header.serial >>> 0, 20);
  out.writeInt32BE(header.status, 24);
  out.set(payload, PACKET_OVERHEAD);
  return out;
}
