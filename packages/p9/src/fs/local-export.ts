import type { AttrPolicy, SecurityModel } from './local-attr.js';
import type { Host } from './local-host.js';
import { type MappedMeta, readMapped } from './local-mapped.js';
import type { SpecialPolicy } from './local-policy.js';

/**
 * What every node of one LocalFs export shares: the host calls, the security model and
 * policy, and the live nodes by inode. Nodes and open files depend on this, never on LocalFs
 * itself, so the modules form a line: export <- setattr/file <- node <- LocalFs.
 */
export interface LocalExport extends AttrPolicy, SpecialPolicy {
  readonly host: Host;
  readonly security: SecurityModel;
  /** The server runs as root: `passthrough` then makes files the client's (chown). */
  readonly isRoot: boolean;
  /** Live nodes by host inode, so a rename can re-point the nodes of the moved entry. */
  readonly live: Map<string, Set<LiveNode>>;
}

/** A node as the rest of the export sees it (LocalNode implements it). */
export interface HostNode {
  readonly share: LocalExport;
  /** The O_PATH descriptor of the object; it follows the file across renames and unlinks. */
  readonly fd: number;
  /** The host's file type bits (S_IFMT). */
  readonly fmt: number;
  /** The host inode (see inodeKeyOf). */
  readonly key: string;
  readonly isDir: boolean;
  /** A symlink as the client sees it (under `mapped`, also a regular file stored as one). */
  readonly isSymlink: boolean;
  readonly parent: HostNode | null;
  readonly name: string;
  retain(): void;
  release(): Promise<void>;
}

/** A node the export keeps by inode so a rename can move it to its new entry. */
export interface LiveNode {
  readonly parent: HostNode | null;
  readonly name: string;
  reparent(dir: HostNode, name: string): void;
}

/** The `mapped` owner and mode of the object `fd` holds; undefined in the other models. */
export function metaOf(exp: LocalExport, fd: number): MappedMeta | undefined {
  return exp.security === 'mapped' ? readMapped(exp.host, fd) : undefined;
}
