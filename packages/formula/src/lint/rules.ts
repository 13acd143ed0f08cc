import { posix } from 'node:path';
import type { ResolvedFormula } from '../compose/resolved.js';
import { AGENT_METHODS } from '../schema/formula.js';
import { didYouMean } from '../schema/suggest.js';
import { parseSize } from '../schema/units.js';

/**
 * Stable codes of lint warnings: what a formula allows that is valid but most likely a
 * mistake. Tools branch on the code; the message is for people.
 */
export type LintCode =
  | 'unknown-console'
  | 'system-share'
  | 'unknown-network'
  | 'decimal-size'
  | 'shared-device'
  | 'agent-permission';

/**
 * Where a finding is, as a path into the resolved formula. A `{ name }` segment is the item of
 * a named list (`disks`, `networks`, `shares.folders`), an `{ equals }` segment the item of a
 * list equal to the value (`devices`); `offset` is a place inside a string value (a token of
 * the kernel command line).
 */
export type FindingSegment = string | number | { name: string } | { equals: unknown };

/** One lint finding in a resolved portal, before it is located in the YAML that wrote it. */
export interface LintFinding {
  portal: ResolvedFormula;
  code: LintCode;
  path: FindingSegment[];
  /** The value the path ends at, as resolved: the writing document is the one holding it. */
  value?: unknown;
  offset?: number;
  message: string;
  /** The value the author most likely meant (a misspelling): "did you mean". */
  suggestion?: string;
  /** What to change, in words. */
  fix?: string;
}

// --- kernel command line -------------------------------------------------------------------

/** Console devices Linux names (`console=ttyS0,115200`), by prefix; the number follows. */
const CONSOLE_PREFIXES = [
  'tty',
  'ttyS',
  'hvc',
  'ttyAMA',
  'ttyUSB',
  'ttyACM',
  'ttysclp',
  'xvc',
  'lp',
  'ttyPS',
  'ttymxc',
  'ttyO',
  'ttySAC',
  'ttyMSM',
  'ttyGS',
];
/** `console=` values that are not a device with a number. */
const CONSOLE_WORDS = ['uart', 'uart8250', 'uart6850', 'null'];

function consoleFindings(portal: ResolvedFormula): LintFinding[] {
  const boot = portal.boot;
  if (boot?.type !== 'kernel') return [];
  const out: LintFinding[] = [];
  const cmdline = boot.cmdline;
  for (const match of cmdline.matchAll(/(^|\s)console=(\S*)/g)) {
    const value = match[2] ?? '';
    const device = value.split(',')[0] ?? '';
    if (CONSOLE_WORDS.includes(device)) continue;
    const parts = /^([A-Za-z]+)([0-9]+)$/.exec(device);
    if (parts && CONSOLE_PREFIXES.includes(parts[1] as string)) continue;
    const prefix = parts?.[1] ?? device.replace(/[0-9]+$/, '');
    const number = parts?.[2] ?? '0';
    const close = didYouMean(prefix, CONSOLE_PREFIXES);
    out.push({
      portal,
      code: 'unknown-console',
      path: ['boot', 'cmdline'],
      value: cmdline,
      offset: (match.index ?? 0) + (match[1] ?? '').length + 'console='.length,
      message: `console=${value}: "${device}" is not a console device Linux knows (ttyS0 is the first serial port, tty0 the screen, hvc0 virtio-console); the portal would have no console`,
      ...(close === undefined ? {} : { suggestion: `${close}${number}` }),
    });
  }
  return out;
}

// --- shares ----------------------------------------------------------------------------------

/** Host folders that a portal must not be able to write: the host's system and secrets. */
const SYSTEM_PATHS = [
  '/etc',
  '/root',
  '/usr',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/var',
  '/proc',
  '/sys',
  '/dev',
  '/run',
  '/opt',
  '/srv',
];
const SECRET_HOME_PATHS = ['~/.ssh', '~/.gnupg', '~/.aws', '~/.kube', '~/.config', '~/.local'];

/** The system folder `path` is (or is inside), if any: `/` only as itself. */
export function systemPathOf(path: string): string | undefined {
  const normal = path.startsWith('~') ? path : posix.normalize(path);
  const trimmed = normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
  if (trimmed === '/') return '/';
  return [...SYSTEM_PATHS, ...SECRET_HOME_PATHS].find(
    (root) => trimmed === root || trimmed.startsWith(`${root}/`),
  );
}

function shareFindings(portal: ResolvedFormula): LintFinding[] {
  const out: LintFinding[] = [];
  const warn = (path: FindingSegment[], source: string, readonly: boolean) => {
    const system = systemPathOf(source);
    if (readonly || system === undefined) return;
    out.push({
      portal,
      code: 'system-share',
      path,
      message: `${source} is shared read-write: the portal could change the host's ${system === '/' ? 'whole file system' : system}; share it with readonly: true, or share a folder of its own`,
      fix: 'readonly: true',
    });
  };
  const portalShare = portal.shares.portal;
  if (portalShare.enabled && portalShare.source !== undefined) {
    warn(['shares', 'portal', 'source'], portalShare.source, portalShare.readonly);
  }
  for (const folder of portal.shares.folders) {
    warn(
      ['shares', 'folders', { name: folder.name }, 'source'],
      folder.source,
      folder.readonly || portalShare.readonly,
    );
  }
  return out;
}

// --- networks --------------------------------------------------------------------------------

function networkFindings(portal: ResolvedFormula, known: readonly string[]): LintFinding[] {
  return portal.networks
    .filter((network) => network.type === 'bridge' && !known.includes(network.name))
    .map((network) => {
      const suggestion = didYouMean(network.name, known);
      return {
        portal,
        code: 'unknown-network' as const,
        path: ['networks', { name: network.name }, 'name'],
        value: network.name,
        message: `network "${network.name}" is not one the host plan defines (${known.join(', ') || 'none'}): the portal would have no link`,
        ...(suggestion === undefined ? {} : { suggestion }),
      };
    });
}

// --- sizes -----------------------------------------------------------------------------------

const DECIMAL_SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*(KB|kB|MB|GB|TB)$/;

function sizeFinding(
  portal: ResolvedFormula,
  path: FindingSegment[],
  size: string | number | undefined,
): LintFinding[] {
  if (typeof size !== 'string') return [];
  const match = DECIMAL_SIZE.exec(size.trim());
  if (!match) return [];
  const bytes = parseSize(size) ?? 0;
  const mib = Math.ceil(bytes / 1024 ** 2);
  const binary = `${match[1]}${(match[2] as string).charAt(0).toUpperCase()}iB`;
  return [
    {
      portal,
      code: 'decimal-size',
      path,
      value: size,
      message: `${size} is a decimal size: ${bytes} bytes, ${mib} MiB; write ${binary} for the binary unit, or ${mib}MiB to keep this size`,
      suggestion: binary,
    },
  ];
}

function sizeFindings(portal: ResolvedFormula): LintFinding[] {
  const out = sizeFinding(portal, ['resources', 'memory'], portal.resources.memory);
  for (const disk of portal.disks) {
    out.push(...sizeFinding(portal, ['disks', { name: disk.name }, 'size'], disk.size));
  }
  for (const device of portal.devices) {
    if (device.memory) {
      out.push(
        ...sizeFinding(
          portal,
          ['devices', { equals: device }, 'memory', 'size'],
          device.memory.size,
        ),
      );
    }
    if (device.shmem) {
      out.push(
        ...sizeFinding(portal, ['devices', { equals: device }, 'shmem', 'size'], device.shmem.size),
      );
    }
  }
  return out;
}

// --- agent -----------------------------------------------------------------------------------

type AgentMethod = (typeof AGENT_METHODS)[number];
const FILE_METHODS: readonly AgentMethod[] = ['file.read', 'file.write', 'file.stat', 'file.list'];

/**
 * The agent methods each kind of portal needs. Applications and services are driven through
 * their share and hooks: running commands (`exec`) is a controller's job.
 */
export const AGENT_METHODS_BY_CATEGORY: Readonly<Record<string, readonly AgentMethod[]>> = {
  application: ['ping', 'heartbeat', 'profile', ...FILE_METHODS, 'mount', 'hooks', 'shutdown'],
  service: ['ping', 'heartbeat', 'profile', ...FILE_METHODS, 'mount', 'hooks', 'shutdown'],
  controller: AGENT_METHODS,
  base: AGENT_METHODS,
};

function agentFindings(portal: ResolvedFormula): LintFinding[] {
  if (!portal.agent.enabled) return [];
  const root = portal.category.split('/')[0] ?? '';
  const needed = AGENT_METHODS_BY_CATEGORY[root] ?? AGENT_METHODS;
  const out: LintFinding[] = [];
  for (const method of portal.agent.allow) {
    if (needed.includes(method)) continue;
    out.push({
      portal,
      code: 'agent-permission',
      path: ['agent', 'allow', { equals: method }],
      message: `agent.allow has "${method}", wider than ${/^[aeiou]/.test(root) ? 'an' : 'a'} ${root} portal needs (${needed.join(', ')})${method === 'exec' ? ': the host could run any command in the guest' : ''}`,
      fix: `remove ${method} from agent.allow`,
    });
  }
  const confined = portal.agent.paths.length > 0;
  const fileMethods = portal.agent.allow.filter((m) => FILE_METHODS.includes(m));
  if (!confined && fileMethods.length > 0 && root !== 'controller' && root !== 'base') {
    out.push({
      portal,
      code: 'agent-permission',
      path: ['agent', 'allow'],
      message: `agent.allow has ${fileMethods.join(', ')} with no agent.paths: the host may reach every file of the guest`,
      fix: `agent.paths: [${portal.shares.portal.mountPoint}]`,
    });
  }
  return out;
}

// --- devices across portals ------------------------------------------------------------------

function deviceKey(device: ResolvedFormula['devices'][number]): string | undefined {
  if (device.pci) return `PCI device ${device.pci.address ?? device.pci.id}`;
  if (device.usb) return `USB device ${device.usb.vendor}:${device.usb.product}`;
  return undefined;
}

/** A host device passed through to more than one portal that starts: only one can hold it. */
function sharedDeviceFindings(portals: readonly ResolvedFormula[]): LintFinding[] {
  const owners = new Map<string, ResolvedFormula>();
  const out: LintFinding[] = [];
  for (const portal of portals) {
    for (const device of portal.devices) {
      const key = deviceKey(device);
      if (key === undefined) continue;
      const owner = owners.get(key);
      if (owner === undefined) {
        owners.set(key, portal);
        continue;
      }
      // The same portal reached twice (a formula and the controller holding it as a child).
      if (owner === portal || (owner.name === portal.name && owner.source === portal.source))
        continue;
      out.push({
        portal,
        code: 'shared-device',
        path: ['devices', { equals: device }],
        message: `${key} is also passed through to portal "${owner.name}" (${owner.source}): a host device belongs to one running portal at a time, the second fails to start`,
        fix: 'give each portal its own device',
      });
    }
  }
  return out;
}

export interface LintRuleOptions {
  /** Networks the host plan defines; when given, other bridge networks are warned about. */
  networks?: readonly string[];
}

/**
 * Every finding of the portals (each with its children), including devices passed through
 * to more than one of them. Children with `autostart: false` still count: they may run.
 */
export function lintFindings(
  portals: readonly ResolvedFormula[],
  options: LintRuleOptions = {},
): LintFinding[] {
  const all = portals.flatMap(function flatten(p): ResolvedFormula[] {
    return [p, ...p.children.flatMap(flatten)];
  });
  const out: LintFinding[] = [];
  for (const portal of all) {
    out.push(
      ...consoleFindings(portal),
      ...shareFindings(portal),
      ...sizeFindings(portal),
      ...agentFindings(portal),
    );
    if (options.networks !== undefined) out.push(...networkFindings(portal, options.networks));
  }
  out.push(...sharedDeviceFindings(all));
  return out;
}
