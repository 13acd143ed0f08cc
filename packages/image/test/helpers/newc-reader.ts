/**
 * A test-only newc cpio reader, written independently of the encoder under test, so the
 * tests check the archive the way the kernel would read it.
 */
export interface ReadEntry {
  name: string;
  mode: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

export function readNewcArchive(archive: Buffer): ReadEntry[] {
  const entries: ReadEntry[] = [];
  let offset = 0;
  const align = (value: number) => Math.ceil(value / 4) * 4;
  for (;;) {
    const magic = archive.toString('ascii', offset, offset + 6);
    if (magic !== '070701') throw new Error(`bad magic "${magic}" at offset ${offset}`);
    const field = (index: number) =>
      Number.parseInt(
        archive.toString('ascii', offset + 6 + index * 8, offset + 14 + index * 8),
        16,
      );
    const mode = field(1);
    const fileSize = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = offset + 110;
    const name = archive.toString('utf8', nameStart, nameStart + nameSize - 1);
    const dataStart = align(nameStart + nameSize);
    const data = archive.subarray(dataStart, dataStart + fileSize);
    offset = align(dataStart + fileSize);
    if (name === 'TRAILER!!!') return entries;
    entries.push({ name, mode, rdevMajor, rdevMinor, data });
  }
}
