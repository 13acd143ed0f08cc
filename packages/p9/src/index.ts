// biome-ignore-all assist/source/organizeImports: the front door reads by section, in order.
// @multiverse-os/p9: a 9P2000.L server and client. The wire codec (message encoder and
// decoder, Reader/Writer, framing, protocol constants, lock table, read buffer pool) is
// `@multiverse-os/p9/protocol`.

// Server: serve a backend on a listening address or over any Duplex.
export { createServer, type P9Server, type ServerOptions } from './server/server.js';
export type { DescriptorStats, OpStats, StatsSnapshot } from './server/stats.js';
export { DEFAULT_MSIZE } from './protocol/constants.js';

// Addresses: `unix:PATH` and `tcp:HOST:PORT` strings, parsed and formatted.
export { formatAddress, type P9Address, parseAddress } from './address.js';

// Backends: a host folder (LocalFs), an in-memory tree (MemFs), generated files (syntheticFs).
export { LocalFs, type LocalFsOptions } from './fs/local.js';
export type { SecurityModel } from './fs/local-attr.js';
export { importMetadataFile, type MetadataImport } from './fs/local-import.js';
export { MemFs, type MemFsOptions } from './fs/memory.js';
export { type SyntheticContent, type SyntheticTree, syntheticFs } from './fs/synthetic.js';

// Backend contract: what a backend implements, the errors it throws and the bits it reads.
export type {
  Attr,
  Credentials,
  FileSystem,
  FsNode,
  FsOpenFile,
  SetAttr,
  StatFs,
  Timespec,
} from './server/filesystem.js';
export type { Dirent, Qid } from './protocol/types.js';
export { Errno, type ErrnoName, errnoName, errnoOf, FsError, fsError } from './protocol/errno.js';
export {
  AT_REMOVEDIR,
  DirentType,
  Mode,
  OpenFlags,
  QidType,
  XattrFlags,
} from './protocol/constants.js';

// Client: connect to a 9P server (this one, diod, QEMU's) and work with paths or fids.
export { type AttachOptions, connect, P9Client, type Stat } from './client/p9-client.js';
export { type ClientOptions, P9Connection } from './client/client.js';

// Errors: P9Error and its kinds, each with a stable `code`.
export {
  ConnectionClosedError,
  DecodeError,
  EncodeError,
  FrameError,
  InvalidAddressError,
  InvalidOptionError,
  P9Error,
  type P9ErrorCode,
  RemoteError,
} from './errors.js';
