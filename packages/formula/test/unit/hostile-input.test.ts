import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileFormula,
  createMemoryLoader,
  ExtendsCycleError,
  FormulaCompileError,
  FormulaError,
  FormulaFileError,
  FormulaLimitError,
  FormulaNotFoundError,
  FormulaValidationError,
  readFormulaFile,
  resolveFormulaFile,
  resolveFormulaText,
  toQemuArgs,
} from '../../src/index.js';

// Files and formulas an attacker controls: each must end in a typed, located error, quickly,
// without reading more than the bound and without echoing what a named file holds.

const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: hostile
category: application/test
boot:
  type: kernel
  kernel: /boot/vmlinuz
`;

const SECRET = 'hunter2-secret-value';

let dir: string;

/** Writes `name` in the temp folder and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A formula file that extends `reference`, resolved; returns what it threw. */
function extending(reference: string, name = 'top.yaml'): unknown {
  const top = file(name, `${HEAD}extends: ${JSON.stringify(reference)}\n`);
  try {
    resolveFormulaFile(top);
  } catch (error) {
    return error;
  }
  throw new Error(`extends: ${reference} was accepted`);
}

function messageOf(error: unknown): string {
  if (error instanceof FormulaValidationError) {
    return error.issues.map((i) => `${i.message} ${i.expected ?? ''}`).join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'formula-hostile-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('files named by a formula', () => {
  it('refuses a name that is not a .yaml file without opening it (/dev/zero, /etc/shadow, /proc/self/environ)', () => {
    for (const path of ['/dev/zero', '/dev/urandom', '/etc/shadow', '/proc/self/environ']) {
      const error = extending(path);
      expect(error).toBeInstanceOf(FormulaFileError);
      expect((error as FormulaFileError).code).toBe('FILE_REFUSED');
      expect((error as FormulaFileError).path).toBe(path);
      expect(messageOf(error)).toContain('ends in .yaml or .yml');
    }
  });

  it('refuses a device behind a .yaml symlink before reading it', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    symlinkSync('/dev/urandom', join(dir, 'urandom.yaml'));
    for (const name of ['zero.yaml', 'urandom.yaml']) {
      const error = extending(`./${name}`);
      expect(error).toBeInstanceOf(FormulaFileError);
      expect(messageOf(error)).toMatch(/zero\.yaml|urandom\.yaml/);
      expect(messageOf(error)).toContain('is a character device, not a formula file');
    }
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    const started = Date.now();
    const error = extending('./fifo.yaml');
    expect(error).toBeInstanceOf(FormulaFileError);
    expect(messageOf(error)).toContain('is a FIFO');
    expect(Date.now() - started).toBeLessThan(5000);
    // The formula file itself too.
    expect(() => resolveFormulaFile(join(dir, 'fifo.yaml'))).toThrow(/is a FIFO/);
  }, 10_000);

  it('refuses a directory with a located error, not EISDIR', () => {
    mkdirSync(join(dir, 'folder.yaml'));
    const error = extending('./folder.yaml');
    expect(error).toBeInstanceOf(FormulaFileError);
    expect(messageOf(error)).toContain(`${join(dir, 'folder.yaml')}: is a directory`);
    expect(messageOf(error)).toContain(join(dir, 'top.yaml'));
    expect(() => resolveFormulaFile(join(dir, 'folder.yaml'))).toThrow(FormulaFileError);
  });

  it('refuses a file over the bound from fstat, and a procfs file that reports size 0 while reading', () => {
    const big = file('big.yaml', `${HEAD}description: "${'x'.repeat(300 * 1024)}"\n`);
    expect(() => readFormulaFile(big)).toThrow(/more than the 262144 a formula file may have/);
    expect(() => readFormulaFile(big, { maxBytes: 1024 })).toThrow(/more than the 1024/);
    expect(extending('./big.yaml')).toBeInstanceOf(FormulaFileError);
    // /proc/self/maps is a regular file of size 0 in fstat that holds more than 64 bytes.
    expect(() => readFormulaFile('/proc/self/maps', { maxBytes: 64 })).toThrow(
      /holds more than the 64 bytes/,
    );
  });

  it('follows a symlink to a readable file but never echoes its content', () => {
    const secret = file('secret.txt', `SECRET_TOKEN=${SECRET}\nPATH=/usr/bin\n`);
    symlinkSync(secret, join(dir, 'secret.yaml'));
    const environ = join(dir, 'environ.yaml');
    symlinkSync('/proc/self/environ', environ);
    file('keys.yaml', `${SECRET}: ${SECRET}\nother: [${SECRET}]\n`);
    file('tag.yaml', `a: !${SECRET} x\n`);
    file('token.yaml', `{ ${SECRET}: [ }\n`);
    file('alias.yaml', `a: *${SECRET}\n`);
    file('directive.yaml', `%${SECRET} x\n---\na: 1\n`);
    for (const name of [
      'secret.yaml',
      'environ.yaml',
      'keys.yaml',
      'tag.yaml',
      'token.yaml',
      'alias.yaml',
      'directive.yaml',
    ]) {
      const error = extending(`./${name}`);
      expect(error, name).toBeInstanceOf(FormulaError);
      const text = `${messageOf(error)}\n${(error as Error).message}`;
      expect(text, name).not.toContain(SECRET);
      expect(text, name).not.toContain(process.env['PATH'] ?? '/usr/bin');
      expect(text, name).toContain(name);
    }
  });

  it('says not found for a dangling symlink and a symlink loop, and ELOOP for a loop read directly', () => {
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
    expect(extending('./dangling.yaml')).toBeInstanceOf(FormulaNotFoundError);
    symlinkSync(join(dir, 'loop-b.yaml'), join(dir, 'loop-a.yaml'));
    symlinkSync(join(dir, 'loop-a.yaml'), join(dir, 'loop-b.yaml'));
    const error = extending('./loop-a.yaml');
    expect(error).toBeInstanceOf(FormulaNotFoundError);
    expect(messageOf(error)).toContain('loop-a.yaml');
    expect(() => readFormulaFile(join(dir, 'loop-a.yaml'))).toThrow(/cannot be opened \(ELOOP\)/);
  });

  it('refuses children: that name a device or a FIFO the same way', () => {
    const top = file('parent.yaml', `${HEAD}children:\n  - formula: ./zero.yaml\n`);
    expect(() => resolveFormulaFile(top)).toThrow(/zero\.yaml: is a character device/);
    const fifo = file('parent2.yaml', `${HEAD}children:\n  - formula: ./fifo.yaml\n`);
    expect(() => resolveFormulaFile(fifo)).toThrow(/fifo\.yaml: is a FIFO/);
  });
});

describe('composition bounds', () => {
  const base = (name: string, rest: string) =>
    `apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\nname: ${name}\ncategory: base/test\nabstract: true\n${rest}`;

  it('reports extends cycles, a formula extending itself included', () => {
    const loader = createMemoryLoader({
      'a.yaml': base('a', 'extends: ./b.yaml\n'),
      'b.yaml': base('b', 'extends: ./a.yaml\n'),
      'self.yaml': base('self', 'extends: ./self.yaml\n'),
    });
    expect(() =>
      resolveFormulaText(base('x', 'extends: ./a.yaml\n'), 'x.yaml', { loader }),
    ).toThrow(ExtendsCycleError);
    expect(() =>
      resolveFormulaText(base('self', 'extends: ./self.yaml\n'), 'self.yaml', { loader }),
    ).toThrow(ExtendsCycleError);
  });

  it('bounds a long extends chain by depth', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 100; i++)
      files[`c${i}.yaml`] = base(`c${i}`, `extends: ./c${i + 1}.yaml\n`);
    files['c100.yaml'] = base('c100', '');
    const loader = createMemoryLoader(files);
    const run = () => resolveFormulaText(files['c0.yaml'] as string, 'c0.yaml', { loader });
    expect(run).toThrow(FormulaLimitError);
    expect(run).toThrow(/deeper than 32 formulas/);
    expect(() =>
      resolveFormulaText(files['c90.yaml'] as string, 'c90.yaml', { loader }),
    ).not.toThrow();
  });

  it('bounds bases that fan out as a power of the depth by total loads', () => {
    // Each level extends the next level twice: 2^20 merges from 21 short files.
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      files[`l${i}.yaml`] = base(`l${i}`, `extends: [./l${i + 1}.yaml, ./l${i + 1}.yaml]\n`);
    }
    files['l20.yaml'] = base('l20', '');
    const loader = createMemoryLoader(files);
    const started = Date.now();
    const run = () => resolveFormulaText(files['l0.yaml'] as string, 'l0.yaml', { loader });
    expect(run).toThrow(/load more than 1000 formulas/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('bounds YAML nesting, in flow and block style', { timeout: 30_000 }, () => {
    const flow = `${HEAD}labels: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const block = `${HEAD}${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`;
    for (const text of [flow, block]) {
      try {
        resolveFormulaText(text, 'deep.yaml');
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(FormulaValidationError);
        expect((error as FormulaValidationError).issues[0]?.message).toMatch(/nest/);
      }
    }
  });
});

/** The issue paths a formula text is refused with (throws if it is accepted). */
function refusedAt(rest: string, head = HEAD): string[] {
  try {
    resolveFormulaText(`${head}${rest}`, 'hostile.yaml', { loader: createMemoryLoader({}) });
  } catch (error) {
    if (error instanceof FormulaValidationError) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('the formula was accepted');
}

const disks = (n: number, bus: string) =>
  `disks:\n${Array.from({ length: n }, (_, i) => `  - { name: d${i}, image: /d${i}.qcow2, bus: ${bus} }\n`).join('')}`;

describe('what validates compiles', () => {
  const cases: [string, string, string][] = [
    [
      'multicast MAC',
      'networks:\n  - { name: star0, mac: "01:00:10:00:00:01" }\n',
      'networks[0].mac',
    ],
    [
      'broadcast MAC',
      'networks:\n  - { name: star0, mac: "ff:ff:ff:ff:ff:ff" }\n',
      'networks[0].mac',
    ],
    [
      'one MAC fixed twice',
      'networks:\n  - { name: a, mac: "00:00:10:00:00:01" }\n  - { name: b, mac: "00:00:10:00:00:01" }\n',
      'networks[1].mac',
    ],
    ['memory 0', 'resources: { memory: 0MiB }\n', 'resources.memory'],
    ['memory past any host', 'resources: { memory: 1e300 }\n', 'resources.memory'],
    ['memory of 20 digits', 'resources: { memory: 99999999999999999999TiB }\n', 'resources.memory'],
    ['cpus infinite', 'resources: { cpus: 1e400 }\n', 'resources.cpus'],
    ['cpu model with QEMU flags', 'resources: { cpu: "host,+vmx" }\n', 'resources.cpu'],
    ['memory device of 0 bytes', 'devices:\n  - memory: { size: 0B }\n', 'devices[0].memory.size'],
    ['27 virtio disks', disks(27, 'virtio'), 'disks[26]'],
    ['7 SATA disks on q35', disks(7, 'sata'), 'disks[6].bus'],
    ['3 SATA disks on pc', `resources: { machine: pc }\n${disks(3, 'sata')}`, 'disks[2].bus'],
    [
      'four serial devices',
      `devices:\n${[0, 1, 2, 3].map((i) => `  - serial: { name: s${i} }\n`).join('')}`,
      'devices[3].serial',
    ],
    [
      'a serial name twice',
      'devices:\n  - serial: { name: a }\n  - serial: { name: a }\n',
      'devices[1].serial.name',
    ],
    [
      'one PCI function twice',
      'devices:\n  - pci: { address: "01:00.0" }\n  - pci: { address: "0000:01:00.0" }\n',
      'devices[1].pci.address',
    ],
    [
      'one USB device twice',
      'devices:\n  - usb: { vendor: "8086", product: "0001" }\n  - usb: { vendor: "0x8086", product: "0001" }\n',
      'devices[1].usb',
    ],
    [
      "a channel named like the agent's",
      'agent: { enabled: true, transport: virtio-serial }\ndevices:\n  - channel: { name: org.multiverse-os.agent.0 }\n',
      'devices[0].channel.name',
    ],
    [
      'a shmem name twice',
      'devices:\n  - shmem: { name: a }\n  - shmem: { name: a }\n',
      'devices[1].shmem.name',
    ],
    ['a second vsock', 'devices:\n  - vsock: {}\n  - vsock: { cid: 9 }\n', 'devices[1].vsock'],
    ['a bridge name over 15 bytes', 'networks:\n  - name: abcdefghijklmnop\n', 'networks[0].name'],
    [
      'a 9P tag over 31 bytes',
      `shares:\n  folders:\n    - { name: ${'a'.repeat(32)}, source: /srv }\n`,
      'shares.folders[0].name',
    ],
    ['a ~user path', 'disks:\n  - { name: d, image: "~bob/d.qcow2" }\n', 'disks[0].image'],
    ['a control character', 'description: "a\\u0001b"\n', 'description'],
    ['a lone surrogate', 'description: "a\\uD800b"\n', 'description'],
    ['NUL in a path', 'disks:\n  - { name: d, image: "/a\\u0000b" }\n', 'disks[0].image'],
    ['an odd unicode key', 'labels: { "\\uDC00": x }\n', 'labels.\uDC00'],
  ];
  for (const [name, rest, path] of cases) {
    it(`refuses ${name} at ${path}`, () => {
      expect(refusedAt(rest)).toContain(path);
    });
  }

  it('refuses two portals of one set with one name, at the child', () => {
    const loader = createMemoryLoader({ 'kid.yaml': HEAD });
    expect(() =>
      resolveFormulaText(`${HEAD}children:\n  - formula: ./kid.yaml\n`, 'set.yaml', { loader }),
    ).toThrow(/children\[0\].*portal name "hostile" is taken by the formula itself/s);
  });

  it('turns a compiler failure into a located FormulaCompileError', () => {
    const formula = resolveFormulaText(
      `${HEAD}devices:\n  - pci: { id: "10de:1b80" }\n`,
      '/f.yaml',
    );
    // Host state: no address was looked up for the id.
    const run = () => compileFormula(formula, 'libvirt', { runDir: '/run/x' });
    expect(run).toThrow(FormulaCompileError);
    expect(run).toThrow(/^\/f\.yaml: devices\[0\]\.pci\.id 10de:1b80/);
    // A formula changed after resolving (what a caller may do) fails typed, not raw.
    const broken = {
      ...formula,
      devices: [],
      networks: [{ ...netOf(), mac: '01:00:00:00:00:01' }],
    };
    expect(() => compileFormula(broken, 'libvirt', { runDir: '/run/x' })).toThrow(
      /^\/f\.yaml: cannot compile to libvirt: .*multicast/,
    );
  });

  it('keeps a comma in a host path from adding QEMU options', () => {
    const formula = resolveFormulaText(
      `${HEAD}disks:\n  - { name: d, image: "/img/a,format=raw", mode: persistent }\n`,
      '/f.yaml',
    );
    const { args } = toQemuArgs(formula, { runDir: '/run/a,b' });
    expect(args).toContain('if=none,id=disk-d,file=/img/a,,format=raw,format=qcow2,cache=none');
    expect(args).toContain('unix:/run/a,,b/qmp.sock,server=on,wait=off');
  });

  it('expands ~ in kernel and disk paths for both targets', () => {
    const formula = resolveFormulaText(
      `${HEAD.replace('/boot/vmlinuz', '~/vmlinuz')}disks:\n  - { name: d, image: ~/d.qcow2 }\n`,
      '/f.yaml',
    );
    const options = { runDir: '/run/x', home: '/home/u' };
    expect(toQemuArgs(formula, options).args).toContain('/home/u/vmlinuz');
    const xml = compileFormula(formula, 'libvirt', options) as string;
    expect(xml).toContain('<kernel>/home/u/vmlinuz</kernel>');
    expect(xml).toContain('<source file="/home/u/d.qcow2"/>');
  });
});

function netOf() {
  return { name: 'star0', type: 'bridge' as const, mac: 'auto' as const, model: 'virtio' as const };
}

describe('fuzzed formulas', () => {
  const FULL = `${HEAD.replace('type: kernel\n  kernel: /boot/vmlinuz', 'type: disk\n  disk: root\n  secureBoot: true')}description: d
resources: { cpus: 2, memory: 1GiB, machine: q35, accelerator: tcg, cpu: max }
disks:
  - { name: root, image: /img/root.qcow2, size: 10GiB }
  - { name: data, image: /img/data.raw, format: raw, mode: persistent, bus: sata }
  - { name: s, image: /img/s.raw, bus: scsi, readonly: true }
shares:
  portal: { tag: mp, source: /srv/p }
  folders:
    - { name: music, source: ~/Music, target: /music, access: passthrough }
networks:
  - { name: star0, mac: "00:00:10:00:00:01" }
  - { name: user, type: user, model: e1000 }
devices:
  - pci: { address: "0000:01:00.0" }
  - usb: { vendor: "8086", product: "0001" }
  - vsock: { cid: 42 }
  - serial: { name: s1 }
  - channel: { name: org.x.y }
  - rng: {}
  - memory: { size: 512MiB }
  - shmem: { name: sh }
agent: { enabled: true, paths: [/mnt] }
provisioning:
  scripts:
    - { name: s, hook: once, inline: echo hi }
`;
  const WEIRD = [
    null,
    -1,
    0,
    Number.MAX_VALUE,
    2 ** 53 + 1,
    1.5,
    '',
    'x'.repeat(300),
    '\u0001',
    '🦄',
    '/a,b',
    '~bob',
    [],
    {},
    'FF:FF:FF:FF:FF:FF',
  ];

  it('either refuses each mutation with a FormulaError or compiles it to every target', () => {
    const original = resolveFormulaText(FULL, '/fuzz.yaml');
    expect(original.devices).toHaveLength(8);
    const lines = FULL.split('\n');
    let accepted = 0;
    let refused = 0;
    // Replace each value (after a ": ") on each line by each weird value, as YAML flow JSON.
    lines.forEach((line, index) => {
      const colon = line.indexOf(': ');
      if (colon < 0) return;
      for (const weird of WEIRD) {
        const mutated = [...lines];
        mutated[index] = `${line.slice(0, colon)}: ${JSON.stringify(weird)}`;
        let formula: ReturnType<typeof resolveFormulaText>;
        try {
          formula = resolveFormulaText(mutated.join('\n'), '/fuzz.yaml');
        } catch (error) {
          expect(error, `line ${index + 1} = ${JSON.stringify(weird)}`).toBeInstanceOf(
            FormulaError,
          );
          refused += 1;
          continue;
        }
        accepted += 1;
        for (const target of ['libvirt', 'qemu', 'fstab', 'cbor'] as const) {
          expect(() => compileFormula(formula, target, { runDir: '/run/fuzz' })).not.toThrow();
        }
      }
    });
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(10);
  }, 60_000);
});
