import { EndpointNotFoundError, EndpointOpenError } from '../errors.js';

/** Turns a system error from opening `endpoint` into this package's typed error. */
export function openFailure(endpoint: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTDIR')
    return new EndpointNotFoundError(endpoint, { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return new EndpointOpenError(endpoint, reason, { cause: error });
}
