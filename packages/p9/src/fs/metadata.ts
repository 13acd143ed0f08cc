import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { XattrFlags } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';

/** What the `mapped` model keeps per inode, and user xattrs for every model. */
export interface InodeMetadata {
  uid?: number;
  gid?: number;
  /** Full mode including the file type (special files are regular files on the host). */
  mode?: number;
  rdev?: string;
  xattrs?: Record<string, string>;
}

/**
 * Server-side metadata keyed by host inode (`dev:ino`), so hard links share it and renames do
 * not lose it. Optionally persisted as JSON (written at most every 200 ms, atomically).
 */
export class MetadataStore {
  private readonly entries = new Map<string, InodeMetadata>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, InodeMetadata>;
      for (const [k, v] of Object.entries(data)) this.entries.set(k, v);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  get(key: string): InodeMetadata | undefined {
    return this.entries.get(key);
  }

  update(key: string, change: (m: InodeMetadata) => void): void {
    const m = this.entries.get(key) ?? {};
    change(m);
    this.entries.set(key, m);
    this.schedule();
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.schedule();
  }

  getXattr(key: string, name: string): Buffer {
    const v = this.entries.get(key)?.xattrs?.[name];
    if (v === undefined) throw fsError('ENODATA');
    return Buffer.from(v, 'base64');
  }

  listXattrs(key: string): string[] {
    return Object.keys(this.entries.get(key)?.xattrs ?? {});
  }

  /** setxattr(2) semantics: XATTR_CREATE fails on an existing name, XATTR_REPLACE on a missing one. */
  setXattr(key: string, name: string, value: Buffer, flags: number): void {
    const has = this.entries.get(key)?.xattrs?.[name] !== undefined;
    if (flags & XattrFlags.CREATE && has) throw fsError('EEXIST');
    if (flags & XattrFlags.REPLACE && !has) throw fsError('ENODATA');
    this.update(key, (m) => {
      m.xattrs = { ...m.xattrs, [name]: value.toString('base64') };
    });
  }

  removeXattr(key: string, name: string): void {
    if (this.entries.get(key)?.xattrs?.[name] === undefined) throw fsError('ENODATA');
    this.update(key, (m) => {
      const { [name]: _gone, ...rest } = m.xattrs ?? {};
      m.xattrs = rest;
    });
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.file);
  }

  private schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), 200);
    this.timer.unref();
  }
}
