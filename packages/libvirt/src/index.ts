// High-level API
export {
  type CallArguments,
  type ConnectOptions,
  connectClient,
  LibvirtClient,
  type LibvirtClientOptions,
  type QemuCallName,
  type RemoteCallName,
  type RemoteEventName,
} from './client/client.js';
export {
  type DomainRef,
  DomainState,
  type DomainStateName,
  formatUuid,
  Libvirt,
  ListDomainsFlags,
  type NetworkRef,
  parseUuid,
  type StoragePoolRef,
  type XmlInput,
} from './client/libvirt.js';
// Connection over any Duplex
export {
  type RpcCallOptions,
  RpcConnection,
  type RpcConnectionOptions,
} from './connection/connection.js';
// Errors
export {
  LibvirtAbortError,
  LibvirtArgumentError,
  LibvirtConnectError,
  LibvirtConnectionClosedError,
  LibvirtError,
  type LibvirtErrorCode,
  LibvirtProtocolError,
  LibvirtRemoteError,
  LibvirtTimeoutError,
  LibvirtUnsupportedError,
  LibvirtXdrError,
  type RemoteErrorFields,
  XdrSchemaError,
} from './errors.js';
// Generated protocol: types, constants, procedure tables
export * from './generated/index.js';
// Packet framing
export {
  decodeHeader,
  encodePacket,
  MAX_PACKET_SIZE,
  messageTypeName,
  PACKET_OVERHEAD,
  type Packet,
  PacketDecoder,
  type PacketHeader,
} from './rpc/index.js';
export { protocolSchema } from './schema.js';
// Transports
export {
  DEFAULT_TCP_PORT,
  openTransport,
  SYSTEM_SOCKET,
  unixSocketPath,
} from './transport/open.js';
export { type LibvirtUri, parseLibvirtUri } from './transport/uri.js';
export { VIR_ERROR_DOMAINS, VIR_ERROR_LEVELS, VIR_ERROR_NUMBERS } from './vir-error-names.js';
// XDR codec
export {
  type XdrCodec,
  type XdrField,
  XdrReader,
  XdrSchema,
  type XdrType,
  type XdrUnionArm,
  XdrWriter,
} from './xdr/index.js';
