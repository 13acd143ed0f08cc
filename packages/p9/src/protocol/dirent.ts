import type { Dirent } from './types.js';
import { FIELD_BYTES, LENGTH_BYTES, Reader, Writer } from './wire.js';

/** Bytes one entry takes in Rreaddir data: qid[13] offset[8] type[1] name[s]. */
export function direntSize(name: string): number {
  return (
    FIELD_BYTES.qid +
    FIELD_BYTES.u64 +
    FIELD_BYTES.u8 +
    LENGTH_BYTES +
    Buffer.byteLength(name, 'utf8')
  );
}

/**
 * Packs as many entries as fit in `count` bytes, in order; returns the data and how many
 * entries it holds (the rest go in the next Treaddir, from the last packed entry's offset).
 */
export function encodeDirents(
  entries: readonly Dirent[],
  count: number,
): { data: Buffer; packed: number } {
  const w = new Writer(Math.min(count, 64 * 1024));
  let packed = 0;
  for (const e of entries) {
    if (w.length + direntSize(e.name) > count) break;
    w.qid(e.qid)
      .u64(e.offset, 'dirent.offset')
      .u8(e.type, 'dirent.type')
      .str(e.name, 'dirent.name');
    packed++;
  }
  return { data: Buffer.from(w.finish()), packed };
}

export function decodeDirents(data: Buffer): Dirent[] {
  const r = new Reader(data);
  const out: Dirent[] = [];
  while (r.remaining > 0) {
    out.push({
      qid: r.qid(),
      offset: r.u64('dirent.offset'),
      type: r.u8('dirent.type'),
      name: r.str('dirent.name'),
    });
  }
  return out;
}
