import { VsockInvalidArgumentError } from '../errors.js';

function validateU32(value: unknown, option: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new VsockInvalidArgumentError(
      option,
      `${what} must be an integer 0..4294967295, got ${String(value)}`,
    );
  }
  return value;
}

export function validateCid(value: unknown, option = 'cid'): number {
  return validateU32(value, option, 'a CID');
}

export function validatePort(value: unknown, option = 'port'): number {
  return validateU32(value, option, 'a port');
}

export function validateTimeout(value: unknown, option = 'timeout'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VsockInvalidArgumentError(
      option,
      `must be a number of ms >= 0, got ${String(value)}`,
    );
  }
  return value;
}
