import { VsockUnsupportedError } from './errors.js';

/** AF_VSOCK is a Linux socket family; mdlayher/vsock and tokio-vsock draw the same line. */
export function isVsockSupported(platform: string = process.platform): boolean {
  return platform === 'linux';
}

/** Throws `VsockUnsupportedError` ("vsock is only supported on Linux") elsewhere. */
export function assertVsockSupported(platform: string = process.platform): void {
  if (!isVsockSupported(platform)) throw new VsockUnsupportedError(platform);
}
