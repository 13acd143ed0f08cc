import { InvalidOptionError } from '../errors.js';
import type { Credentials, FileSystem, FsNode } from '../server/filesystem.js';
import type { SecurityModel } from './local-attr.js';
import type { LiveNode, LocalExport } from './local-export.js';
import { type Host, loadHost, ok, statFd } from './local-host.js';
import { LocalNode } from './local-node.js';

export interface LocalFsOptions {
  /**
   * `passthrough`: host owners and modes are the client's (chown needs the server to be root).
   * `mapped`: owners, modes and special files live in the files' `user.virtfs.*` extended
   * attributes, in QEMU's `mapped-xattr` layout; the server runs unprivileged and host files
   * stay readable by it. `squash`: every file appears owned by `squashUid:squashGid`, chown is
   * accepted and ignored. Default: passthrough when root, else squash.
   */
  security?: SecurityModel;
  squashUid?: number;
  squashGid?: number;
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
 * Exports a host folder. The root is the only path ever opened; below it every lookup is one
 * openat2 of one name beneath a held O_PATH directory descriptor, without following symlinks
 * (see LocalNode), `..` is the walked parent and stops at the export root, so trees deeper
 * than PATH_MAX work and neither symlinks nor a host process swapping directories can lead
 * outside the export.
 */
export class LocalFs implements FileSystem, LocalExport {
  readonly security: SecurityModel;
  readonly squashUid: number;
  readonly squashGid: number;
  readonly live = new Map<string, Set<LiveNode>>();
  readonly isRoot: boolean;
  readonly allowDevices: boolean;
  readonly allowSetid: boolean;
  readonly host: Host;

  constructor(
    readonly root: string,
    options: LocalFsOptions = {},
  ) {
    if (typeof root !== 'string' || !root.startsWith('/')) {
      throw new InvalidOptionError('root', `must be an absolute path, got ${JSON.stringify(root)}`);
    }
    if ('metadataFile' in options) {
      throw new InvalidOptionError(
        'metadataFile',
        'is gone: mapped owners live in user.virtfs.* xattrs; import an old file once with importMetadataFile(root, file)',
      );
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
    // Throws FsatAddonError (naming the platform) here, not at the first request.
    this.host = loadHost();
  }

  async attach(_aname: string, _cred: Credentials): Promise<FsNode> {
    // The only absolute path ever opened: the export root itself.
    const h = this.host;
    const fd = ok(h.at.openat2(h.c.AT_FDCWD, this.root, h.c.O_PATH | h.c.O_DIRECTORY, 0, 0));
    try {
      return new LocalNode(this, fd, null, '', statFd(h, fd));
    } catch (err) {
      h.at.close(fd);
      throw err;
    }
  }

  /** Checks the export root exists and is a directory (throws a clear error otherwise). */
  async check(): Promise<void> {
    const h = this.host;
    const fd = h.at.openat2(h.c.AT_FDCWD, this.root, h.c.O_PATH | h.c.O_DIRECTORY, 0, 0);
    if (fd < 0) throw new InvalidOptionError('root', `${this.root} is not a directory`);
    h.at.close(fd);
  }
}
