import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DigestMismatchError, ImageFetchError, InvalidOptionError } from '../errors.js';
import { defaultCacheDir } from '../initramfs/cache.js';

/** Architectures as Lima names them. */
export type ImageArch = 'x86_64' | 'aarch64';

/**
 * An image named the way Lima names them: where it is (`/abs/path`, `file:///...` or
 * `https://...`), the digest it must have, and the architecture it runs on.
 */
export interface ImageLocation {
  location: string;
  /** `sha256:<64 hex>` or `sha512:<128 hex>`. */
  digest: string;
  arch?: ImageArch;
}

export interface FetchImageOptions {
  /** Cache root; downloads go in `<cacheDir>/downloads`. */
  cacheDir?: string;
  /** Largest file accepted; default 16 GiB. */
  maxBytes?: number;
  /** Bound on the whole download; default 30 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number | undefined) => void;
}

export interface FetchedImage {
  /** The verified file in the cache (named by its digest). */
  path: string;
  digest: string;
  cached: boolean;
}

const DIGESTS = { sha256: 64, sha512: 128 } as const;
export const DEFAULT_FETCH_MAX_BYTES = 16 * 1024 ** 3;
export const DEFAULT_FETCH_TIMEOUT_MS = 30 * 60_000;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The host's architecture in Lima's spelling. */
export function hostImageArch(): ImageArch {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}

/** Splits and checks a digest; throws `InvalidOptionError` on anything but sha256/sha512 hex. */
export function parseDigest(digest: string): { algorithm: keyof typeof DIGESTS; hex: string } {
  const match = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  const algorithm = match?.[1] as keyof typeof DIGESTS | undefined;
  if (!match || !algorithm || match[2]?.length !== DIGESTS[algorithm]) {
    throw new InvalidOptionError(
      'digest',
      `expected sha256:<64 hex digits> or sha512:<128 hex digits>, got ${JSON.stringify(digest)}`,
    );
  }
  return { algorithm, hex: match[2] };
}

/** Picks the image for `arch` (default the host's) from a Lima-style list. */
export function selectImage(
  images: readonly ImageLocation[],
  arch: ImageArch = hostImageArch(),
): ImageLocation {
  const found = images.find((image) => (image.arch ?? 'x86_64') === arch);
  if (!found) {
    throw new InvalidOptionError(
      'images',
      `no image for ${arch} (have: ${images.map((i) => i.arch ?? 'x86_64').join(', ') || 'none'})`,
    );
  }
  return found;
}

type Source = { kind: 'file'; path: string } | { kind: 'http'; url: URL };

function parseLocation(location: string): Source {
  if (isAbsolute(location)) return { kind: 'file', path: location };
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new InvalidOptionError(
      'location',
      `expected an absolute path or a URL, got ${JSON.stringify(location)}`,
    );
  }
  if (url.protocol === 'file:') return { kind: 'file', path: fileURLToPath(url) };
  if (url.protocol === 'https:') return { kind: 'http', url };
  // Plain HTTP only where nobody can tamper on the way (tests serve from loopback).
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return { kind: 'http', url };
  throw new InvalidOptionError(
    'location',
    `must be a file path, file:// or https:// URL, got ${location}`,
  );
}

function safeName(location: string): string {
  const name = basename(location.split(/[?#]/)[0] ?? '').replace(/[^A-Za-z0-9._-]/g, '_');
  return name && name !== '.' && name !== '..' ? name.slice(0, 100) : 'image';
}

/**
 * Fetches an image named Lima-style into the cache and returns the verified copy. The file is
 * written beside the cache entries under a temporary name while it is hashed, and renamed
 * into place only when the digest matches: a wrong digest throws `DigestMismatchError` and
 * leaves no file behind; so does a failed or oversized download (`ImageFetchError`). A second
 * fetch of the same digest reads nothing.
 */
export async function fetchImage(
  image: ImageLocation,
  options: FetchImageOptions = {},
): Promise<FetchedImage> {
  const { algorithm, hex } = parseDigest(image.digest);
  if (image.arch !== undefined && image.arch !== 'x86_64' && image.arch !== 'aarch64') {
    throw new InvalidOptionError(
      'arch',
      `expected x86_64 or aarch64, got ${JSON.stringify(image.arch)}`,
    );
  }
  const source = parseLocation(image.location);
  const dir = join(options.cacheDir ?? defaultCacheDir(), 'downloads');
  const path = join(dir, `${algorithm}-${hex}-${safeName(image.location)}`);
  if (existsSync(path)) return { path, digest: image.digest, cached: true };
  mkdirSync(dir, { recursive: true });
  const temporary = join(dir, `.fetch-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const hash = createHash(algorithm);
  let bytes = 0;
  try {
    let input: Readable;
    let total: number | undefined;
    if (source.kind === 'file') {
      const stats = statSync(source.path, { throwIfNoEntry: false });
      if (!stats?.isFile()) throw new ImageFetchError(image.location, 'not a regular file');
      total = stats.size;
      input = createReadStream(source.path);
    } else {
      let response: Response;
      try {
        response = await fetch(source.url, { signal, redirect: 'follow' });
      } catch (cause) {
        throw new ImageFetchError(image.location, `download failed: ${(cause as Error).message}`, {
          cause,
        });
      }
      if (!response.ok || !response.body) {
        throw new ImageFetchError(image.location, `HTTP ${response.status} ${response.statusText}`);
      }
      const length = Number(response.headers.get('content-length'));
      total = Number.isFinite(length) && length > 0 ? length : undefined;
      input = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    }
    if (total !== undefined && total > maxBytes) {
      input.destroy();
      throw new ImageFetchError(
        image.location,
        `is ${total} bytes, more than maxBytes (${maxBytes})`,
      );
    }
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          callback(new ImageFetchError(image.location, `is more than maxBytes (${maxBytes})`));
          return;
        }
        hash.update(chunk);
        options.onProgress?.(bytes, total);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(input, meter, createWriteStream(temporary, { flags: 'wx', mode: 0o644 }), {
        signal,
      });
    } catch (cause) {
      if (cause instanceof ImageFetchError) throw cause;
      throw new ImageFetchError(image.location, `reading failed: ${(cause as Error).message}`, {
        cause,
      });
    }
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== image.digest)
      throw new DigestMismatchError(image.location, image.digest, actual);
    renameSync(temporary, path);
    return { path, digest: image.digest, cached: false };
  } finally {
    rmSync(temporary, { force: true });
  }
}
