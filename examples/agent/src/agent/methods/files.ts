import { close, createReadStream, fsync, write } from 'node:fs';
import { promisify } from 'node:util';
import { type Dir, type FileType, loadFsat } from '@multiverse-os/fsat';
import { MethodError } from '../../errors.js';
import { Channel } from '../../protocol/envelopes.js';
import type { ParsedParams, Result } from '../../protocol/methods.js';
import type { CallContext } from '../../rpc/peer.js';
import { beneathRoot, fileError } from '../confine.js';

// Every method opens its path beneath the allowed root that contains it (`beneathRoot`), and
// then works on the descriptor it got: nothing is looked up by path a second time.

type Kind = 'file' | 'directory' | 'symlink' | 'other';

const writeFd = promisify(write);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

function kindOf(type: FileType): Kind {
  return type === 'file' || type === 'directory' || type === 'symlink' ? type : 'other';
}

/** Runs `body`; a failure becomes the MethodError naming `path` (see `fileError`). */
async function onPath<T>(path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw fileError(path, error);
  }
}

export async function readFileStreamed(
  params: ParsedParams<'file.read'>,
  roots: readonly string[],
  context: CallContext,
): Promise<Result<'file.read'>> {
  const { O_RDONLY } = loadFsat().constants;
  // A final symlink is followed, beneath the root only. On the thread pool: a FIFO's open waits.
  const fd = await beneathRoot(params.path, roots, (dir, rel) => dir.openAsync(rel, O_RDONLY));
  // The stream owns the descriptor from here and closes it however the loop ends.
  const stream = createReadStream('', { fd, highWaterMark: 64 * 1024 });
  return onPath(params.path, async () => {
    try {
      const out = context.output(Channel.OUT);
      let bytes = 0;
      for await (const chunk of stream) {
        if (context.signal.aborted) break;
        await out.send(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      out.end();
      return { bytes };
    } finally {
      stream.destroy();
    }
  });
}

/**
 * Opens the file to write beneath its root with O_NOFOLLOW: a final symlink is refused
 * whether it dangles or not (ELOOP, told apart here from a loop in the middle of the path),
 * so a link planted inside a root never lets a write create or change a file elsewhere.
 */
async function openForWrite(
  dir: Dir,
  rel: string,
  path: string,
  params: ParsedParams<'file.write'>,
): Promise<number> {
  const c = loadFsat().constants;
  const flags = c.O_WRONLY | c.O_CREAT | c.O_NOFOLLOW | (params.append ? c.O_APPEND : c.O_TRUNC);
  try {
    return await dir.openAsync(rel, flags, params.mode);
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOOP' && dir.tryStat(rel)?.type === 'symlink') {
      throw new MethodError(
        'PERMISSION',
        `${path}: is a symbolic link; file.write never writes through a final symlink`,
        { cause: error },
      );
    }
    throw error;
  }
}

export async function writeFileStreamed(
  params: ParsedParams<'file.write'>,
  roots: readonly string[],
  context: CallContext,
): Promise<Result<'file.write'>> {
  const fd = await beneathRoot(params.path, roots, (dir, rel) =>
    openForWrite(dir, rel, params.path, params),
  );
  return onPath(params.path, async () => {
    let bytes = 0;
    try {
      for await (const chunk of context.input(Channel.IN)) {
        for (let done = 0; done < chunk.length; ) {
          done += (await writeFd(fd, chunk, done, chunk.length - done)).bytesWritten;
        }
        bytes += chunk.length;
      }
      await fsyncFd(fd);
    } finally {
      await closeFd(fd);
    }
    return { bytes };
  });
}

export function statFile(
  params: ParsedParams<'file.stat'>,
  roots: readonly string[],
): Promise<Result<'file.stat'>> {
  // The entry itself: a final symlink is reported as a symlink, not followed.
  return beneathRoot(params.path, roots, (dir, rel) => {
    const stat = dir.stat(rel);
    return {
      type: kindOf(stat.type),
      size: Number(stat.size),
      mode: stat.mode,
      mtimeMs: stat.mtime.sec * 1000 + stat.mtime.nsec / 1e6,
    };
  });
}

export function listDirectory(
  params: ParsedParams<'file.list'>,
  roots: readonly string[],
): Promise<Result<'file.list'>> {
  return beneathRoot(params.path, roots, (root, rel) => {
    // The listed directory is held, so an entry whose type getdents leaves unknown (some
    // filesystems do) is looked up in that very directory.
    const listed = root.dir(rel);
    try {
      const entries = listed.readdir().map((entry) => ({
        name: entry.name,
        type: kindOf(
          entry.type === 'unknown' ? (listed.tryStat(entry.name)?.type ?? 'unknown') : entry.type,
        ),
      }));
      return { entries };
    } finally {
      listed.close();
    }
  });
}
