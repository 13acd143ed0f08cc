// Console: scripting any Duplex.

export {
  type AttachOptions,
  attach,
  type DetachReason,
  type TerminalInput,
  type TerminalOutput,
} from './attach/attach.js';
export {
  Console,
  type ConsoleEvents,
  type ConsoleOptions,
  ERROR_TAIL,
  type ReaderOptions,
} from './console/console.js';
export {
  ExpectEngine,
  type ExpectMatch,
  type ExpectOptions,
  type Pattern,
} from './console/expect-engine.js';
export {
  type LoginOptions,
  login,
  type RunOptions,
  type RunResult,
  runCommand,
} from './console/shell.js';
// Endpoints: devices, ptys, QEMU chardev sockets, log files, virtio-serial ports.
export { CharDevice, openCharDevice } from './endpoints/char-device.js';
export { FollowedFile, type FollowFileOptions, followFile } from './endpoints/followed-file.js';
export {
  type OpenEndpointOptions,
  openEndpoint,
  openVirtioSerialGuest,
  openVirtioSerialHost,
} from './endpoints/open.js';
export {
  type FlowControl,
  openSerialPort,
  type SerialPortOptions,
  setBaudRate,
} from './endpoints/serial-port.js';
export {
  ChardevListener,
  type ConnectOptions,
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
} from './endpoints/socket.js';
export {
  type EndpointSpec,
  endpointFromChardevFilename,
  formatEndpoint,
  parseEndpoint,
} from './endpoints/spec.js';
// Errors.
export {
  AbortedError,
  ConsoleClosedError,
  ConsoleNotFoundError,
  EndpointNotFoundError,
  EndpointOpenError,
  ExpectTimeoutError,
  ExpectWindowExceededError,
  InvalidDomainXmlError,
  InvalidEndpointError,
  InvalidOptionError,
  LoginFailedError,
  ReadOnlyEndpointError,
  SerialError,
  type SerialErrorCode,
} from './errors.js';
// Text processing (pure, no I/O).
export { AnsiStripper, stripAnsi } from './text/ansi.js';
export { ByteRing } from './text/byte-ring.js';
export { LineSplitter } from './text/line-splitter.js';
export { TextHistory } from './text/text-history.js';
// Transcripts.
export {
  parseTranscript,
  recordTranscript,
  Transcript,
  type TranscriptEntry,
  type TranscriptFormat,
  type TranscriptOptions,
} from './transcript/transcript.js';
