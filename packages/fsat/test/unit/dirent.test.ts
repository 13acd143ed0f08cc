import { describe, expect, it } from 'vitest';
import { parseDirents } from '../../src/dirent.js';

/** One linux_dirent64 record, 8-byte aligned as the kernel writes them. */
function record(ino: bigint, off: bigint, dtype: number, name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const reclen = Math.ceil((19 + nameBytes.length + 1) / 8) * 8;
  const b = Buffer.alloc(reclen);
  b.writeBigUInt64LE(ino, 0);
  b.writeBigInt64LE(off, 8);
  b.writeUInt16LE(reclen, 16);
  b.writeUInt8(dtype, 18);
  nameBytes.copy(b, 19);
  return b;
}

describe('parseDirents', () => {
  const bytes = Buffer.concat([
    record(2n, 1n, 4, '.'),
    record(0xffff_ffff_ffff_fff0n, 0x7fff_ffff_ffff_ffffn, 8, 'file.txt'),
    record(12n, -1n, 10, 'l\u00e9'),
    record(13n, 5n, 99, 'odd'),
  ]);

  it('reads every record with full 64-bit inode numbers and offsets', () => {
    expect(parseDirents(bytes)).toEqual([
      { name: '.', ino: 2n, offset: 1n, type: 'directory' },
      {
        name: 'file.txt',
        ino: 0xffff_ffff_ffff_fff0n,
        offset: 0x7fff_ffff_ffff_ffffn,
        type: 'file',
      },
      { name: 'l\u00e9', ino: 12n, offset: -1n, type: 'symlink' },
      { name: 'odd', ino: 13n, offset: 5n, type: 'unknown' },
    ]);
  });

  it('reads only the filled length of a larger buffer', () => {
    const buffer = Buffer.alloc(4096, 0xee);
    bytes.copy(buffer);
    expect(parseDirents(buffer, bytes.length)).toHaveLength(4);
  });

  it('refuses every truncation instead of reading past the data', () => {
    const boundaries = new Set<number>();
    for (let at = 0; at < bytes.length; at += bytes.readUInt16LE(at + 16)) boundaries.add(at);
    for (let cut = 1; cut < bytes.length; cut++) {
      if (boundaries.has(cut)) continue; // a whole number of records is a valid shorter read
      expect(() => parseDirents(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(RangeError);
    }
  });

  it('refuses a record length that is too small or runs past the end', () => {
    for (const reclen of [0, 1, 19, 4096]) {
      const bad = Buffer.from(bytes);
      bad.writeUInt16LE(reclen, 16);
      expect(() => parseDirents(bad), `reclen ${reclen}`).toThrow(/record length/);
    }
  });

  it('refuses a name without its terminating NUL', () => {
    const bad = record(5n, 1n, 8, 'abcd');
    bad.fill(0x61, 19); // name runs to the end of the record
    expect(() => parseDirents(bad)).toThrow(/NUL/);
  });

  it('refuses a length larger than the buffer', () => {
    expect(() => parseDirents(bytes, bytes.length + 1)).toThrow(RangeError);
  });
});
