// Errors.

export { formatAddress, type P9Address, parseAddress } from './address.js';
// Client.
export { type ClientOptions, P9Connection } from './client/client.js';
export { type AttachOptions, connect, P9Client, type Stat } from './client/p9-client.js';
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
export { LocalFs, type LocalFsOptions } from './fs/local.js';
export type { SecurityModel } from './fs/local-attr.js';
export { importMetadataFile, type MetadataImport } from './fs/local-import.js';
// Backends.
export { MemFs, type MemFsOptions } from './fs/memory.js';
export { type SyntheticContent, type SyntheticTree, syntheticFs } from './fs/synthetic.js';
export {
  type DecodeOptions,
  decodeMessage,
  encodeMessage,
  kindOfType,
} from './protocol/codec.js';
// Protocol: pure codec, no I/O.
export {
  AT_REMOVEDIR,
  DEFAULT_MSIZE,
  DirentType,
  GetattrMask,
  LockFlags,
  LockStatus,
  LockType,
  MAXWELEM,
  type MessageName,
  MessageType,
  Mode,
  NOFID,
  NONUNAME,
  NOTAG,
  OpenFlags,
  QidType,
  SetattrMask,
  VERSION_9P2000L,
  XattrFlags,
} from './protocol/constants.js';
export { decodeDirents, direntSize, encodeDirents } from './protocol/dirent.js';
export { Errno, type ErrnoName, errnoName, errnoOf, FsError, fsError } from './protocol/errno.js';
export { FrameDecoder } from './protocol/framer.js';
export {
  type Message,
  type MessageKind,
  type MessageOf,
  messageFields,
  type ReplyBody,
  type ReplyKind,
  type RMessage,
  type TMessage,
} from './protocol/messages.js';
export type { Dirent, Qid } from './protocol/types.js';
export { type FrameHeader, HEADER_SIZE, Reader, readHeader, Writer } from './protocol/wire.js';
// Server.
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
export { LockTable, type RangeLock } from './server/locks.js';
export { releaseReadBuffer, takeReadBuffer } from './server/read-buffers.js';
export { createServer, type P9Server, type ServerOptions } from './server/server.js';
export type { DescriptorStats, OpStats, StatsSnapshot } from './server/stats.js';
// Transport: framing over any Duplex.
export { FramedStream, type FramedStreamEvents } from './transport/framed-stream.js';
