import {
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KeepaliveProcedure,
} from '../generated/keepalive.js';
import { VirNetMessageStatus, VirNetMessageType } from '../generated/virnet.js';
import { encodePacket, type PacketHeader } from './packet.js';

/**
 * libvirt's keepalive program (virkeepaliveprotocol.x): either side sends PING as a message
 * with no payload, the other answers PONG. A daemon that gets no answer closes the connection.
 */
export function isKeepalive(header: PacketHeader): boolean {
  return header.program === KEEPALIVE_PROGRAM;
}

export function isPing(header: PacketHeader): boolean {
  return (
    header.program === KEEPALIVE_PROGRAM &&
    header.procedure === KeepaliveProcedure.KEEPALIVE_PROC_PING &&
    header.type === VirNetMessageType.VIR_NET_MESSAGE
  );
}

function keepalivePacket(procedure: number): Buffer {
  return encodePacket({
    program: KEEPALIVE_PROGRAM,
    version: KEEPALIVE_PROTOCOL_VERSION,
    procedure,
    type: VirNetMessageType.VIR_NET_MESSAGE,
    serial: 0,
    status: VirNetMessageStatus.VIR_NET_OK,
  });
}

export const PING_PACKET: Buffer = keepalivePacket(KeepaliveProcedure.KEEPALIVE_PROC_PING);
export const PONG_PACKET: Buffer = keepalivePacket(KeepaliveProcedure.KEEPALIVE_PROC_PONG);
