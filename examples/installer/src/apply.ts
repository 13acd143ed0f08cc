import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallerError } from './errors.js';
import type { InstallPlan } from './plan.js';
import type { InstallerState, Made, ObjectKind } from './state.js';
import { type VirshSession, virshQuote } from './virsh.js';

export interface Change {
  kind: ObjectKind;
  name: string;
  action: 'created' | 'defined' | 'kept' | 'foreign' | 'removed' | 'not-empty';
}

export interface ApplyReport {
  changes: Change[];
  /** True when nothing had to change. */
  unchanged: boolean;
}

type Log = (line: string) => void;

const LIBVIRT = {
  pool: {
    info: 'pool-info',
    define: 'pool-define',
    undefine: 'pool-undefine',
    stop: 'pool-destroy',
  },
  network: {
    info: 'net-info',
    define: 'net-define',
    undefine: 'net-undefine',
    stop: 'net-destroy',
  },
  domain: { info: 'dominfo', define: 'define', undefine: 'undefine', stop: 'destroy' },
} as const;

function describe(change: Change): string {
  const what = `${change.kind} ${change.name}`;
  switch (change.action) {
    case 'created':
      return `+ ${what}: created`;
    case 'defined':
      return `+ ${what}: defined`;
    case 'kept':
      return `= ${what}: already in place`;
    case 'foreign':
      return `= ${what}: exists and was not made by the installer, left alone`;
    case 'removed':
      return `- ${what}: removed`;
    case 'not-empty':
      return `= ${what}: not empty, kept (it holds files now)`;
  }
}

async function exists(
  session: VirshSession,
  kind: 'pool' | 'network' | 'domain',
  name: string,
): Promise<boolean> {
  return (await session.run(`${LIBVIRT[kind].info} ${virshQuote(name)}`)).ok;
}

/**
 * Removes one object the installer made (stopping it first when it runs). A folder goes only
 * when empty: one holding anything is the user's now. Returns false for a folder kept.
 */
async function removeObject(session: VirshSession, made: Made): Promise<boolean> {
  if (made.kind === 'folder') {
    if (!existsSync(made.name)) return true;
    return rmdir(made.name).then(
      () => true,
      () => false,
    );
  }
  const { stop, undefine } = LIBVIRT[made.kind];
  if (!(await exists(session, made.kind, made.name))) return true;
  await session.run(`${stop} ${virshQuote(made.name)}`);
  await session.must(`${undefine} ${virshQuote(made.name)}`);
  return true;
}

/**
 * Makes the host match the plan, idempotently: folders, then pools, networks and domains
 * through one virsh session. What exists is kept. Every image must exist before anything is
 * touched; if a step still fails, what this run made is removed again, newest first, so a
 * failure leaves nothing half-defined.
 */
export async function applyPlan(
  plan: InstallPlan,
  session: VirshSession,
  state: InstallerState,
  log: Log = () => {},
): Promise<ApplyReport> {
  const missing = plan.images.filter((image) => !existsSync(image.path));
  if (missing.length > 0) {
    throw new InstallerError(
      'MISSING_IMAGE',
      `missing image(s), nothing was changed:\n${missing.map((m) => `  ${m.path} (used by ${m.usedBy.join(', ')})`).join('\n')}\nbuild them first (--direct builds tiny ones)`,
    );
  }
  const changes: Change[] = [];
  const madeNow: Made[] = [];
  const note = (change: Change): void => {
    changes.push(change);
    log(describe(change));
  };
  const xmlDir = await mkdtemp(join(tmpdir(), 'mv-installer-'));
  try {
    for (const folder of plan.folders) {
      if (existsSync(folder)) {
        note({ kind: 'folder', name: folder, action: 'kept' });
        continue;
      }
      await mkdir(folder, { recursive: true });
      madeNow.push({ kind: 'folder', name: folder });
      await state.add({ kind: 'folder', name: folder });
      note({ kind: 'folder', name: folder, action: 'created' });
    }
    const objects: Array<{ kind: 'pool' | 'network' | 'domain'; name: string; xml: string }> = [
      ...plan.pools.map((p) => ({ kind: 'pool' as const, name: p.name, xml: p.xml })),
      ...plan.networks.map((n) => ({ kind: 'network' as const, name: n.name, xml: n.xml })),
      ...plan.domains.map((d) => ({ kind: 'domain' as const, name: d.name, xml: d.xml })),
    ];
    for (const object of objects) {
      if (await exists(session, object.kind, object.name)) {
        note({
          kind: object.kind,
          name: object.name,
          action: state.has(object.kind, object.name) ? 'kept' : 'foreign',
        });
        continue;
      }
      const file = join(xmlDir, `${object.kind}-${object.name}.xml`);
      await writeFile(file, object.xml);
      await session.must(`${LIBVIRT[object.kind].define} ${virshQuote(file)}`);
      madeNow.push({ kind: object.kind, name: object.name });
      await state.add({ kind: object.kind, name: object.name });
      if (object.kind === 'pool') await session.must(`pool-start ${virshQuote(object.name)}`);
      note({ kind: object.kind, name: object.name, action: 'defined' });
    }
  } catch (error) {
    for (const made of madeNow.reverse()) {
      await removeObject(session, made).catch(() => undefined);
      await state.remove(made);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new InstallerError(
      error instanceof InstallerError ? error.code : 'LIBVIRT_FAILED',
      `${message}\nrolled back: removed the ${madeNow.length} object(s) this run had made`,
      { cause: error },
    );
  } finally {
    await rm(xmlDir, { recursive: true, force: true });
  }
  const unchanged = changes.every((c) => c.action === 'kept' || c.action === 'foreign');
  log(
    unchanged
      ? 'nothing to do: the host already matches the plan'
      : `${changes.filter((c) => c.action === 'created' || c.action === 'defined').length} change(s) made`,
  );
  return { changes, unchanged };
}

/** Removes exactly what the installer made for this plan, domains first, folders last. */
export async function destroyPlan(
  plan: InstallPlan,
  session: VirshSession,
  state: InstallerState,
  log: Log = () => {},
): Promise<ApplyReport> {
  const order: ObjectKind[] = ['domain', 'network', 'pool', 'folder'];
  const names: Record<ObjectKind, string[]> = {
    domain: plan.domains.map((d) => d.name),
    network: plan.networks.map((n) => n.name),
    pool: plan.pools.map((p) => p.name),
    folder: [...plan.folders].reverse(),
  };
  const changes: Change[] = [];
  for (const kind of order) {
    for (const name of names[kind]) {
      if (!state.has(kind, name)) continue;
      const removed = await removeObject(session, { kind, name });
      await state.remove({ kind, name });
      const change: Change = { kind, name, action: removed ? 'removed' : 'not-empty' };
      changes.push(change);
      log(describe(change));
    }
  }
  log(
    changes.length === 0
      ? 'nothing to remove: the installer made nothing here'
      : `${changes.length} object(s) removed`,
  );
  return { changes, unchanged: changes.length === 0 };
}
