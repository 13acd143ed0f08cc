import { constants as C } from 'node:fs';
import fsp from 'node:fs/promises';
import { InvalidOptionError } from '../errors.js';
import type { Credentials, FileSystem, FsNode } from '../server/filesystem.js';
import type { SecurityModel } from './local-attr.js';
import { closeQuietly, fstatBig, openFd } from './local-io.js';
import { LocalNode } from './local-node.js';
import { MetadataStore } from './metadata.js';
import { O_DIRECTORY, O_PATH } from './proc-paths.js';

export interface LocalFsOptions {
  /**
   * `passthrough`: host owners and modes are the client's (chown needs the server to be root).
   * `mapped`: owners, modes and special files live in server-side metadata; the server runs
   * unprivileged and host files stay readable by it. `squash`: every file appears owned by
   * `squashUid:squashGid`, chown is accepted and ignored. Default: passthrough when root, else squash.
   */
  security?: SecurityModel;
  squashUid?: number;
  squashGid?: number;
  /** Where `mapped` metadata and user xattrs persist (JSON); in memory only when unset. */
  metadataFile?: string;
  /**
   * Let clients make character and block device nodes (Tmknod) and open device nodes
   * (Tlopen). Off by default: a device node made by a client of a root server opens the
   * host's device (`c 1:11` is the kernel log, a block node the host's disks). Not allowed
   * with `squash`.
   */
  allowDevices?: boolean;
  /**
   * Let clients set the set-user-ID and set-group-ID bits (Tlcreate, Tmkdir, Tmknod, chmod).
   * Off by default: a set-id file planted by a client runs with its owner's rights on the
   * host. Not allowed with `squash`.
   */
  allowSetid?: boolean;
}

/**
 * Exports a host folder. Every lookup goes one component at a time from held O_PATH directory
 * descriptors without following symlinks (see proc-paths.ts), `..` is the walked parent and
 * stops at the export root, and no absolute host path is ever built after attach, so trees
 * deeper than PATH_MAX work and symlinks can never lead outside the export.
 */
export class LocalFs implements FileSystem {
  readonly security: SecurityModel;
  readonly squashUid: number;
  readonly squashGid: number;
  readonly metadata: MetadataStore;
  /** Live nodes by host inode, so a rename can re-point the nodes of the moved entry. */
  readonly live = new Map<string, Set<LocalNode>>();
  readonly isRoot: boolean;
  readonly allowDevices: boolean;
  readonly allowSetid: boolean;

  constructor(
    readonly root: string,
    options: LocalFsOptions = {},
  ) {
    if (typeof root !== 'string' || !root.startsWith('/')) {
      throw new InvalidOptionError('root', `must be an absolute path, got ${JSON.stringify(root)}`);
    }
    const uid = process.getuid?.() ?? 0;
    this.isRoot = uid === 0;
    const security = options.security ?? (this.isRoot ? 'passthrough' : 'squash');
    if (!['passthrough', 'mapped', 'squash'].includes(security)) {
      throw new InvalidOptionError(
        'security',
        `expected passthrough, mapped or squash, got ${String(security)}`,
      );
    }
    this.security = security;
    for (const option of ['allowDevices', 'allowSetid'] as const) {
      const value = options[option];
      if (value !== undefined && typeof value !== 'boolean')
        throw new InvalidOptionError(option, `must be a boolean, got ${String(value)}`);
      // squash is the model for exports whose clients are not trusted with the host's
      // owners: devices and set-id files would hand them more than that.
      if (value && security === 'squash')
        throw new InvalidOptionError(option, 'cannot be enabled with the squash security model');
    }
    this.allowDevices = options.allowDevices ?? false;
    this.allowSetid = options.allowSetid ?? false;
    this.squashUid = options.squashUid ?? uid;
    this.squashGid = options.squashGid ?? process.getgid?.() ?? 0;
    this.metadata = new MetadataStore(options.metadataFile);
  }

  async attach(_aname: string, _cred: Credentials): Promise<FsNode> {
    // The only absolute path ever opened: the export root itself.
    const fd = await openFd(this.root, O_PATH | O_DIRECTORY | C.O_RDONLY);
    try {
      const st = fstatBig(fd);
      return new LocalNode(this, fd, null, '', st);
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
  }

  /** Writes pending metadata now (also done every 200 ms while it changes). */
  flush(): void {
    this.metadata.flush();
  }

  /** Checks the export root exists and is a directory (throws a clear error otherwise). */
  async check(): Promise<void> {
    const st = await fsp.stat(this.root).catch(() => undefined);
    if (!st?.isDirectory()) throw new InvalidOptionError('root', `${this.root} is not a directory`);
  }
}
