import type { Dirent, Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { MethodError } from '../../errors.js';
import { Channel } from '../../protocol/envelopes.js';
import type { ParsedParams, Result } from '../../protocol/methods.js';
import type { CallContext } from '../../rpc/peer.js';
import { confine } from '../confine.js';

type Kind = 'file' | 'directory' | 'symlink' | 'other';

function kindOf(entry: Stats | Dirent): Kind {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** File I/O errors become PATH errors naming the path, not internal ones. */
async function fsCall<T>(path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof MethodError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new MethodError('PATH', `${path}: ${code}`, { cause: error });
  }
}

export async function readFileStreamed(
  params: ParsedParams<'file.read'>,
  roots: readonly string[],
  context: CallContext,
): Promise<Result<'file.read'>> {
  const path = await confine(params.path, roots);
  return fsCall(params.path, async () => {
    const out = context.output(Channel.OUT);
    let bytes = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
      if (context.signal.aborted) break;
      await out.send(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    out.end();
    return { bytes };
  });
}

export async function writeFileStreamed(
  params: ParsedParams<'file.write'>,
  roots: readonly string[],
  context: CallContext,
): Promise<Result<'file.write'>> {
  const path = await confine(params.path, roots);
  return fsCall(params.path, async () => {
    const handle = await open(path, params.append ? 'a' : 'w', params.mode);
    let bytes = 0;
    try {
      for await (const chunk of context.input(Channel.IN)) {
        await handle.write(chunk);
        bytes += chunk.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { bytes };
  });
}

export async function statFile(
  params: ParsedParams<'file.stat'>,
  roots: readonly string[],
): Promise<Result<'file.stat'>> {
  const path = await confine(params.path, roots);
  return fsCall(params.path, async () => {
    const stats = await lstat(path);
    return { type: kindOf(stats), size: stats.size, mode: stats.mode, mtimeMs: stats.mtimeMs };
  });
}

export async function listDirectory(
  params: ParsedParams<'file.list'>,
  roots: readonly string[],
): Promise<Result<'file.list'>> {
  const path = await confine(params.path, roots);
  return fsCall(params.path, async () => {
    const entries = await readdir(path, { withFileTypes: true });
    return { entries: entries.map((e) => ({ name: e.name, type: kindOf(e) })) };
  });
}
