import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import type { ResolvedFormula } from '../compose/resolved.js';

/** A host folder a portal shares with its guest, and where the guest mounts it. */
export interface HostFolder {
  /** The 9P mount tag (or virtiofs tag). */
  tag: string;
  /** Host folder. */
  source: string;
  /** Guest mount point. */
  target: string;
  access: 'mapped' | 'passthrough';
  readonly: boolean;
}

/** Where a portal's own share lives on the host when its formula names no folder. */
export function defaultPortalShare(portal: string, home = homedir()): string {
  return join(home, '.local', 'share', 'multiverse', 'portals', portal);
}

/** `~` and `~/x` in a host path, against `home`; other paths as they are. */
export function expandHome(path: string, home: string): string {
  return path === '~' || path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

export interface HostFoldersOptions {
  /** Used for `~` and for the default portal share; default: the user's home. */
  home?: string;
}

/**
 * The host folders a portal shares: the `multiverse-portal` share first (unless disabled),
 * then each extra folder, mounted under the portal share unless it names its own target.
 */
export function hostFolders(
  formula: ResolvedFormula,
  options: HostFoldersOptions = {},
): HostFolder[] {
  const home = options.home ?? homedir();
  const { portal, folders } = formula.shares;
  const out: HostFolder[] = [];
  if (portal.enabled) {
    out.push({
      tag: portal.tag,
      source: expandHome(portal.source ?? defaultPortalShare(formula.name, home), home),
      target: portal.mountPoint,
      access: portal.access,
      readonly: portal.readonly,
    });
  }
  for (const folder of folders) {
    out.push({
      tag: folder.name,
      source: expandHome(folder.source, home),
      target: folder.target ?? posix.join(portal.mountPoint, folder.name),
      access: folder.access,
      readonly: folder.readonly,
    });
  }
  return out;
}

/**
 * The guest's `/etc/fstab` lines for the shares, e.g.
 * `multiverse-portal /mnt/multiverse-portal 9p trans=virtio,version=9p2000.L,posixacl,rw,cache=none,nofail 0 0`.
 * `nofail` lets the guest boot when the host withholds a share.
 */
export function toFstab(formula: ResolvedFormula, options: HostFoldersOptions = {}): string {
  const { transport, server, serverAddress } = formula.shares;
  const lines = hostFolders(formula, options).map((folder) => {
    const rw = folder.readonly ? 'ro' : 'rw';
    if (transport === 'virtiofs') return `${folder.tag} ${folder.target} virtiofs ${rw},nofail 0 0`;
    if (server === 'multiverse') {
      const [, host, port] = serverAddress.split(':');
      const options = `trans=tcp,port=${port},aname=${folder.tag},version=9p2000.L,posixacl,${rw},cache=none,nofail`;
      return `${host} ${folder.target} 9p ${options} 0 0`;
    }
    const options = `trans=virtio,version=9p2000.L,posixacl,${rw},cache=none,nofail`;
    return `${folder.tag} ${folder.target} 9p ${options} 0 0`;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
