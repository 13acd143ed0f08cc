// biome-ignore-all assist/source/organizeImports: the front door reads by section, in order.
// @multiverse-os/vsock: vsock streams for Node. Test doubles and the shared conformance suite
// are `@multiverse-os/vsock/testing`; the address type alone is `@multiverse-os/vsock/address`.

// Native AF_VSOCK (Linux; an N-API addon drives the fd with libuv).
export { connect, connectAsync } from './native/connect.js';
export {
  createServer,
  listen,
  localCid,
  type VsockDrop,
  type VsockListenOptions,
  VsockServer,
  type VsockServerOptions,
} from './native/server.js';
export { VsockSocket } from './native/socket.js';
export {
  DEFAULT_BUFFER_SIZE,
  type VsockConnectOptions,
  type VsockSocketOptions,
} from './native/socket-options.js';
export type { ReleaseFdOptions } from './native/release.js';
export { ADDON_PATH_ENV, VMADDR_ANY } from './native/addon.js';
export { assertVsockSupported, isVsockSupported } from './platform.js';

// Hybrid vsock: the Unix-socket muxer of Firecracker and cloud-hypervisor.
export { connectHybrid, type HybridConnectOptions, type HybridSocket } from './hybrid/connect.js';
export { type HybridListenOptions, listenHybrid } from './hybrid/listen.js';
export {
  encodeAck,
  encodeConnect,
  guestListenPath,
  parseAck,
  parseConnect,
} from './hybrid/protocol.js';

// Addresses: `vsock:CID:PORT`, `hybrid:/uds:PORT`, `unix:/path`, `tcp:host:port`.
export { type Address, type AddressKind, formatAddress, parseAddress } from './address.js';
export {
  type AddressConnectOptions,
  type AddressListenOptions,
  connect as connectAddress,
  listen as listenAddress,
  type StreamServer,
} from './address-connect.js';

// Errors: VsockError and its kinds, each with a stable `code`.
export {
  AddressError,
  HybridAckTimeoutError,
  HybridAckTooLongError,
  HybridBadAckError,
  HybridConnectionClosedError,
  HybridError,
  HybridSocketNotFoundError,
  VsockAbortError,
  VsockAddonError,
  VsockError,
  VsockInvalidArgumentError,
  type VsockSocketState,
  VsockStateError,
  VsockSystemError,
  VsockUnsupportedError,
} from './errors.js';
