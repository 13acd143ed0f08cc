import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import { VsockSystemError } from '../errors.js';

export const EAGAIN = -11;
export const EINPROGRESS = -115;
export const ECONNRESET = -104;
export const ECONNREFUSED = -111;
export const ETIMEDOUT = -110;
export const ENOTCONN = -107;

/** A negative errno from the addon as a Node-style error naming the syscall, CID and port. */
export function systemError(
  negativeErrno: number,
  syscall: string,
  cid?: number,
  port?: number,
  detail?: string,
): VsockSystemError {
  let code = `Unknown system error ${negativeErrno}`;
  let text = '';
  try {
    code = getSystemErrorName(negativeErrno);
    text = getSystemErrorMap().get(negativeErrno)?.[1] ?? '';
  } catch {}
  return new VsockSystemError(code, negativeErrno, syscall, cid, port, detail ?? text);
}

export const ENOENT = -2;
export const ENODEV = -19;
const EAFNOSUPPORT = -97;

/** socket(AF_VSOCK) fails with EAFNOSUPPORT when the kernel has no vsock: say ENODEV, as promised. */
export function socketError(rc: number, cid?: number, port?: number): VsockSystemError {
  return rc === EAFNOSUPPORT
    ? systemError(ENODEV, 'socket', cid, port, 'no vsock in this kernel (AF_VSOCK not supported)')
    : systemError(rc, 'socket', cid, port);
}

/**
 * A failed connect. vsock answers a connect to a port nobody listens on with a reset, which
 * the kernel reports as ECONNRESET; callers expect what TCP says there: ECONNREFUSED.
 */
export function connectError(rc: number, cid: number | undefined, port: number | undefined) {
  if (rc === ECONNRESET) {
    return systemError(
      ECONNREFUSED,
      'connect',
      cid,
      port,
      'connection refused: no listener on that port',
    );
  }
  return systemError(rc, 'connect', cid, port);
}
