export { PacketDecoder } from './decoder.js';
export { isKeepalive, isPing, PING_PACKET, PONG_PACKET } from './keepalive.js';
export {
  decodeHeader,
  encodePacket,
  MAX_PACKET_SIZE,
  messageTypeName,
  PACKET_OVERHEAD,
  type Packet,
  type PacketHeader,
} from './packet.js';
