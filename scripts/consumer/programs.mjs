// One small program per published package, run by scripts/consumer-test.mjs inside a fresh
// project that installed the packed tarballs. Each gets `load` (import() in the ESM run,
// require() in the CommonJS run, both resolved from the consumer project) and a scratch
// folder, and throws when the package does not do its job. They never import the packages
// themselves: the runner decides how they are loaded.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until `path` exists (a socket or pty link a child process creates). */
async function waitForPath(path, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${what} did not create ${path} in ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Spawns a helper program, failing loudly when it is not installed. */
function spawnTool(command, args) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0)
    throw new Error(`${command} is not installed (the consumer test needs it)`);
  return spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

export const programs = {
  async '@multiverse-os/formula'({ load, catalog, work }) {
    const formula = await load('@multiverse-os/formula');
    const debian = formula.validateFormulaText(
      readFileSync(join(catalog, 'bases', 'debian.yaml'), 'utf8'),
    );
    assert.equal(debian.ok, true, 'the catalog base bases/debian.yaml validates');
    const broken = formula.validateFormulaText('apiVersion: multiverse-os.org/formula/v1alpha1\n');
    assert.equal(broken.ok, false, 'a formula without kind and name is rejected');
    assert.ok(broken.issues.length > 0, 'the rejection lists issues');
    // extends: bases/desktop -> bases/debian, looked up in the catalog folders.
    const firefox = formula.resolveFormulaFile(
      join(catalog, 'application', 'browser', 'firefox.yaml'),
    );
    const command = formula.toQemuArgs(firefox, { runDir: '/run/mv/firefox', accelerator: 'tcg' });
    assert.match(command.binary, /qemu-system-x86_64$/);
    assert.ok(command.args.includes('-qmp'), 'the QEMU command line has a QMP socket');

    // An author in this project: `mv-formula new ... > brave.yaml`, then validate and compile
    // it as it is. No catalog folder is above it: extends: bases/debian resolves from the
    // catalog the package ships, and the modeline names the schema under node_modules.
    const project = process.cwd();
    const bin = join(project, 'node_modules', '.bin', 'mv-formula');
    const mvFormula = (...args) =>
      spawnSync(bin, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });
    const scaffold = mvFormula('new', 'application/browser/brave');
    assert.equal(scaffold.status, 0, `mv-formula new: ${scaffold.stderr}`);
    const modeline = /^# yaml-language-server: \$schema=(.+)$/m.exec(scaffold.stdout)?.[1];
    assert.equal(modeline, './node_modules/@multiverse-os/formula/formula.schema.json');
    assert.ok(existsSync(join(project, modeline)), 'the modeline names a file that is there');
    const file = `brave-${process.pid}.yaml`;
    writeFileSync(join(project, file), scaffold.stdout);
    try {
      const validate = mvFormula('validate', '--strict', file);
      assert.equal(validate.status, 0, `mv-formula validate: ${validate.stderr}`);
      assert.equal(validate.stdout, `${file}: ok\n`);
      assert.equal(validate.stderr, '', 'the scaffold lints clean');
      const xml = mvFormula('compile', file, '--to', 'libvirt', '--run-dir', join(work, 'run'));
      assert.equal(xml.status, 0, `mv-formula compile: ${xml.stderr}`);
      assert.ok(xml.stdout.includes('<name>brave</name>'), 'the domain is named after the portal');
      const bad = mvFormula('compile', file, '--to', 'xml');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--to xml: expected one of libvirt, qemu, fstab, cbor/);
    } finally {
      rmSync(join(project, file), { force: true });
    }
    const schema = JSON.parse(readFileSync(join(project, modeline), 'utf8'));
    assert.equal(typeof schema.properties.resources.properties.memory.description, 'string');
  },

  async '@multiverse-os/libvirt-xml'({ load }) {
    const libvirt = await load('@multiverse-os/libvirt-xml');
    const xml = libvirt
      .domain({ name: 'consumer', memory: '256 MiB', vcpus: 1 })
      .vsock({ cid: 42 })
      .serialConsole()
      .toXml();
    assert.ok(xml.includes('<vsock'), 'the domain XML has its vsock device');
    assert.equal(libvirt.parseDomain(xml).toXml(), xml, 'parse and write round-trip');
    const testing = await load('@multiverse-os/libvirt-xml/testing');
    assert.ok(Object.keys(testing).length > 0, 'the ./testing subpath loads');
  },

  async '@multiverse-os/image'({ load }) {
    const image = await load('@multiverse-os/image');
    const chunks = [];
    for await (const chunk of image.cpioArchive([
      { type: 'directory', path: 'etc' },
      { type: 'file', path: 'etc/hello', data: Buffer.from('hello\n') },
    ])) {
      chunks.push(chunk);
    }
    const archive = Buffer.concat(chunks).toString('latin1');
    assert.ok(archive.startsWith('070701'), 'a newc cpio archive');
    assert.ok(archive.includes('etc/hello') && archive.includes('TRAILER!!!'));
  },

  async '@multiverse-os/p9'({ load, work }) {
    const p9 = await load('@multiverse-os/p9');
    const exported = join(work, 'p9-export');
    mkdirSync(exported, { recursive: true });
    writeFileSync(join(exported, 'from-host.txt'), 'served by p9\n');
    const server = p9.createServer({ fs: new p9.LocalFs(exported) });
    const socket = join(work, 'p9.sock');
    await server.listen(`unix:${socket}`);
    try {
      const client = await p9.connect(`unix:${socket}`);
      try {
        assert.equal((await client.readFile('from-host.txt')).toString(), 'served by p9\n');
        await client.writeFile('from-client.txt', 'written over 9P\n');
        const names = (await client.readdir('.')).map((entry) => entry.name).sort();
        assert.deepEqual(
          names.filter((n) => n.endsWith('.txt')),
          ['from-client.txt', 'from-host.txt'],
        );
      } finally {
        client.close();
      }
      assert.equal(readFileSync(join(exported, 'from-client.txt'), 'utf8'), 'written over 9P\n');
    } finally {
      await server.close();
    }
  },

  async '@multiverse-os/qmp'({ load, work }) {
    const qmp = await load('@multiverse-os/qmp');
    const machine = await load('@multiverse-os/qmp/machine');
    assert.equal(typeof machine.QemuMachine, 'function', 'the ./machine subpath loads');
    const socket = join(work, 'qmp.sock');
    const qemu = spawnTool('qemu-system-x86_64', [
      '-machine',
      'none',
      '-display',
      'none',
      '-nodefaults',
      '-qmp',
      `unix:${socket},server=on,wait=off`,
    ]);
    try {
      const client = await qmp.QmpClient.connect({ path: socket }, { retry: { timeout: 20_000 } });
      try {
        const version = await client.execute('query-version');
        assert.ok(version.qemu.major >= 7, `QEMU ${version.qemu.major}.${version.qemu.minor}`);
        const status = await client.execute('query-status');
        assert.equal(typeof status.running, 'boolean');
      } finally {
        await client.close();
      }
    } finally {
      qemu.kill('SIGKILL');
    }
  },

  async '@multiverse-os/serial'({ load, work }) {
    const serial = await load('@multiverse-os/serial');
    // Two linked ptys: what one end writes, the other reads. Opening them goes through the
    // `serialport` package's native binding, loaded from its prebuild (install scripts blocked).
    const [a, b] = [join(work, 'pty-a'), join(work, 'pty-b')];
    const socat = spawnTool('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
    try {
      await waitForPath(a, 'socat');
      await waitForPath(b, 'socat');
      const left = new serial.Console(await serial.openSerialPort(a), { timeout: 10_000 });
      const right = new serial.Console(await serial.openSerialPort(b), { timeout: 10_000 });
      try {
        const seen = right.expect(/hello (\w+)/);
        await left.sendLine('hello consumer');
        assert.equal((await seen).groups[1], 'consumer');
      } finally {
        left.close();
        right.close();
      }
    } finally {
      socat.kill();
    }
  },

  async '@multiverse-os/vsock'({ load }) {
    const vsock = await load('@multiverse-os/vsock');
    const address = await load('@multiverse-os/vsock/address');
    assert.deepEqual(address.parseAddress('vsock:1:5000'), { kind: 'vsock', cid: 1, port: 5000 });
    // Outside a guest: the addon must load (from the shipped prebuild) and fail cleanly. CID 1 is
    // this machine (vsock_loopback); no test ever connects to another CID.
    try {
      const cid = vsock.localCid();
      assert.ok(Number.isInteger(cid), `localCid() is ${cid}`);
    } catch (error) {
      // No /dev/vsock: a typed system error, never the "addon not built" one.
      assert.ok(error instanceof vsock.VsockError, String(error));
      assert.notEqual(error.code, 'ERR_VSOCK_ADDON', error.message);
    }
    await assert.rejects(
      vsock.connectAsync({ cid: 1, port: 0x7fff_fff0, timeout: 1_000 }),
      (error) => {
        assert.ok(error instanceof vsock.VsockError, `a VsockError, got ${error}`);
        assert.notEqual(error.code, 'ERR_VSOCK_ADDON', error.message);
        assert.match(error.code, /^E[A-Z]+$/, `an errno code, got ${error.code}`);
        return true;
      },
    );
  },

  async '@multiverse-os/fsat'({ load, work }) {
    const fsat = await load('@multiverse-os/fsat');
    // The addon loads from the shipped prebuild (install scripts blocked) and confines lookups.
    const root = join(work, 'fsat-root');
    mkdirSync(join(root, 'inside'), { recursive: true });
    writeFileSync(join(root, 'inside', 'file.txt'), 'inside\n');
    writeFileSync(join(work, 'outside.txt'), 'outside\n');
    const dir = fsat.Dir.open(root);
    try {
      const { O_RDONLY } = fsat.loadFsat().constants;
      assert.equal(dir.stat('inside/file.txt').type, 'file');
      assert.deepEqual(
        dir.readdir('inside').map((entry) => entry.name),
        ['file.txt'],
      );
      assert.throws(
        () => dir.open('../outside.txt', O_RDONLY),
        (error) => error instanceof fsat.FsatError && error.code === 'EXDEV',
        'a path out of the directory is refused by the kernel',
      );
    } finally {
      dir.close();
    }
  },

  async '@multiverse-os/libvirt'({ load, work }) {
    const libvirt = await load('@multiverse-os/libvirt');
    // No daemon here: the URI is parsed, the socket is missing, and the failure is typed.
    const uri = libvirt.parseLibvirtUri('qemu:///system');
    assert.equal(uri.driver, 'qemu');
    const socket = join(work, 'no-libvirtd.sock');
    await assert.rejects(
      libvirt.Libvirt.connect(`qemu:///system?socket=${socket}`, { timeoutMs: 2_000 }),
      (error) => error instanceof libvirt.LibvirtError,
    );
  },
};
