import { QmpUnsupportedError } from '../errors.js';

/** What this build can do to hand file descriptors to QEMU. */
export interface FdPassingSupport {
  /** SCM_RIGHTS over the QMP socket (`getfd`, `add-fd`): needs a native addon in Node.js. */
  scmRights: false;
  /** `-add-fd` at launch via `QemuMachine`'s `fds` option: always available on Unix. */
  launchAddFd: boolean;
  reason: string;
}

const REASON =
  'Node.js has no public API to send SCM_RIGHTS ancillary data on a net.Socket, and this ' +
  'package ships no native addon; pass fds at launch with QemuMachine({ fds }) (-add-fd) and ' +
  'use /dev/fdset/<set> in QMP commands instead';

/** Feature detection for fd passing (see README, "fd passing"). */
export function fdPassingSupport(): FdPassingSupport {
  return { scmRights: false, launchAddFd: process.platform !== 'win32', reason: REASON };
}

/** The error `QmpClient.sendFd` rejects with: names the fallback. */
export function fdPassingUnsupported(what: string): QmpUnsupportedError {
  return new QmpUnsupportedError(`${what}: fd passing over QMP is not available: ${REASON}`);
}
