// biome-ignore-all assist/source/organizeImports: the entry reads by section, in order.
// @multiverse-os/p9/protocol: the 9P2000.L wire format and the pieces the server is built
// from, for tools that speak 9P themselves. Errors (DecodeError, EncodeError, FrameError) and
// the constants backends use (Mode, OpenFlags, QidType...) are in `@multiverse-os/p9`.

// Messages: pure encoder and decoder, no I/O; every length checked against the frame.
export { type DecodeOptions, decodeMessage, encodeMessage, kindOfType } from './codec.js';
export {
  type Message,
  type MessageKind,
  type MessageOf,
  messageFields,
  type ReplyBody,
  type ReplyKind,
  type RMessage,
  type TMessage,
} from './messages.js';

// Wire format: the frame header and the field codecs.
export { type FrameHeader, HEADER_SIZE, Reader, readHeader, Writer } from './wire.js';
export { decodeDirents, direntSize, encodeDirents } from './dirent.js';

// Constants only protocol users need.
export {
  GetattrMask,
  LockFlags,
  LockStatus,
  LockType,
  MAXWELEM,
  type MessageName,
  MessageType,
  NOFID,
  NONUNAME,
  NOTAG,
  SetattrMask,
  VERSION_9P2000L,
} from './constants.js';

// Framing: split a byte stream into frames; send and receive frames over any Duplex.
export { FrameDecoder } from './framer.js';
export { FramedStream, type FramedStreamEvents } from '../transport/framed-stream.js';

// Server parts: byte-range locks shared by sessions, the pool read replies are taken from.
export { LockTable, type RangeLock } from '../server/locks.js';
export { releaseReadBuffer, takeReadBuffer } from '../server/read-buffers.js';
