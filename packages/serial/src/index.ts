// biome-ignore-all assist/source/organizeImports: the front door reads by section, in order.
// @multiverse-os/serial: serial consoles you can script. The text machinery under `Console`
// (escape stripping, ring buffers, the expect engine) is `@multiverse-os/serial/text`; a
// libvirt domain's console is `@multiverse-os/serial/libvirt`.

// Console: scripting any Duplex (expect, send, run, login).
export {
  Console,
  type ConsoleEvents,
  type ConsoleOptions,
  ERROR_TAIL,
  type ReaderOptions,
} from './console/console.js';
export type { ExpectMatch, ExpectOptions, Pattern } from './console/expect-engine.js';
export {
  type LoginOptions,
  login,
  type RunOptions,
  type RunResult,
  runCommand,
  type ShellConsole,
} from './console/shell.js';

// Endpoints: devices, ptys, QEMU chardev sockets, log files, virtio-serial ports.
export {
  type OpenEndpointOptions,
  openEndpoint,
  openVirtioSerialGuest,
  openVirtioSerialHost,
} from './endpoints/open.js';
export {
  type EndpointSpec,
  endpointFromChardevFilename,
  formatEndpoint,
  parseEndpoint,
} from './endpoints/spec.js';
export {
  ChardevListener,
  type ConnectOptions,
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
} from './endpoints/socket.js';
export { CharDevice, openCharDevice } from './endpoints/char-device.js';
export {
  type FlowControl,
  openSerialPort,
  type SerialPortOptions,
  setBaudRate,
} from './endpoints/serial-port.js';
export { FollowedFile, type FollowFileOptions, followFile } from './endpoints/followed-file.js';

// Attach a terminal (like `virsh console`).
export {
  type AttachOptions,
  attach,
  type DetachReason,
  type TerminalInput,
  type TerminalOutput,
} from './attach/attach.js';

// Transcripts: record and replay what went both ways.
export {
  parseTranscript,
  recordTranscript,
  Transcript,
  type TranscriptEntry,
  type TranscriptFormat,
  type TranscriptOptions,
} from './transcript/transcript.js';

// Errors: SerialError and its kinds, each with a stable `code`.
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
