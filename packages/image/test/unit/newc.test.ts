import { describe, expect, it } from 'vitest';
import { cpioArchive, encodeNewcHeader, encodeNewcTrailer } from '../../src/index.js';
import { readNewcArchive } from '../helpers/newc-reader.js';

async function collect(generator: AsyncGenerator<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of generator) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('encodeNewcHeader', () => {
  it('writes the 110-byte ASCII header, the NUL-terminated name and padding to 4 bytes', () => {
    const header = encodeNewcHeader({ name: 'init', ino: 7, mode: 0o100755, fileSize: 42 });
    // Expected bytes spelled out field by field (magic, ino, mode, uid, gid, nlink, mtime,
    // filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check).
    const expected = [
      '070701',
      '00000007',
      '000081ed',
      '00000000',
      '00000000',
      '00000001',
      '00000000',
      '0000002a',
      '00000000',
      '00000000',
      '00000000',
      '00000000',
      '00000005',
      '00000000',
    ].join('');
    expect(header.subarray(0, 110).toString('ascii')).toBe(expected);
    expect(header.subarray(110, 115).toString('utf8')).toBe('init\0');
    expect(header.length).toBe(116);
    expect(header.length % 4).toBe(0);
  });

  it('gives directories two links by default', () => {
    const header = encodeNewcHeader({ name: 'etc', ino: 1, mode: 0o040755, fileSize: 0 });
    expect(header.toString('ascii', 38, 46)).toBe('00000002');
  });

  it('refuses values that do not fit the 8-hex-digit fields, naming the entry and field', () => {
    expect(() =>
      encodeNewcHeader({ name: 'big', ino: 1, mode: 0o100644, fileSize: 2 ** 32 }),
    ).toThrow(/cpio entry "big": filesize 4294967296 does not fit in 32 bits/);
    expect(() => encodeNewcHeader({ name: 'neg', ino: -1, mode: 0, fileSize: 0 })).toThrow(
      /ino -1/,
    );
  });

  it('ends archives with a TRAILER!!! entry', () => {
    expect(encodeNewcTrailer().toString('utf8', 110, 120)).toBe('TRAILER!!!');
  });
});

describe('cpioArchive', () => {
  it('round-trips every entry type through an independent reader', async () => {
    const archive = await collect(
      cpioArchive([
        { type: 'directory', path: '/etc' },
        { type: 'file', path: '/etc/hostname', data: Buffer.from('guest\n'), mode: 0o600 },
        { type: 'symlink', path: '/bin/sh', target: '/bin/busybox' },
        { type: 'char-device', path: '/dev/console', major: 5, minor: 1 },
      ]),
    );
    expect(archive.length % 4).toBe(0);
    const entries = readNewcArchive(archive);
    expect(entries.map((e) => e.name)).toEqual(['etc', 'etc/hostname', 'bin/sh', 'dev/console']);
    expect(entries[0]?.mode).toBe(0o040755);
    expect(entries[1]?.mode).toBe(0o100600);
    expect(entries[1]?.data.toString()).toBe('guest\n');
    expect(entries[2]?.mode).toBe(0o120777);
    expect(entries[2]?.data.toString()).toBe('/bin/busybox');
    expect(entries[3]?.mode).toBe(0o020600);
    expect([entries[3]?.rdevMajor, entries[3]?.rdevMinor]).toEqual([5, 1]);
  });

  it('pads file data of every length to 4 bytes', async () => {
    for (let length = 0; length < 9; length++) {
      const data = Buffer.alloc(length, 0x61);
      const archive = await collect(cpioArchive([{ type: 'file', path: `f${length}`, data }]));
      const [entry] = readNewcArchive(archive);
      expect(entry?.data.equals(data)).toBe(true);
    }
  });
});
