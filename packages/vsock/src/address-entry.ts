// The `@multiverse-os/vsock/address` subpath: one address type and `connect`/`listen` for
// every transport, under those plain names.
export { type Address, type AddressKind, formatAddress, parseAddress } from './address.js';
export {
  type AddressConnectOptions,
  type AddressListenOptions,
  connect,
  listen,
  type StreamServer,
} from './address-connect.js';
