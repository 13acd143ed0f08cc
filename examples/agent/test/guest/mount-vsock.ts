// Runs INSIDE a tiny guest (node + the vsock addon, modules 9p, 9pnet_fd, vsock_loopback): a
// @multiverse-os/p9 server on a MemFs listens on vsock, and the agent's own mount method
// mounts it over CID 1 (loopback) with trans=fd. Prints one `MOUNT-RESULT {json}` line per
// check and `MOUNT-DONE`; mount-vsock.test.ts reads them from the serial console.
// Files under the mount are read with fs/promises or by child processes only: this process
// also serves the 9P requests, so a synchronous read here would wait for itself.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createServer as createP9Server, MemFs } from '@multiverse-os/p9';
import { createServer as createVsockServer, type VsockSocket } from '@multiverse-os/vsock';
import { mountShare } from '../../src/agent/methods/mount.js';
import { methods, type Params } from '../../src/protocol/methods.js';

const run = promisify(execFile);
const PORT = 5640;
const MNT = '/mnt/vsock-share';
const FSTAB = '/tmp/fstab';

function report(name: string, ok: boolean, detail: string): void {
  console.log(`MOUNT-RESULT ${JSON.stringify({ name, ok, detail })}`);
}

async function check(name: string, body: () => Promise<string>): Promise<void> {
  try {
    report(name, true, await body());
  } catch (error) {
    report(name, false, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}

function mount(params: Params<'mount'>) {
  return mountShare(methods.mount.params.parse(params), FSTAB);
}

async function refusal(params: Params<'mount'>): Promise<{ code: string; message: string }> {
  try {
    await mount(params);
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error(`mount ${params.source} was not refused`);
}

async function main(): Promise<void> {
  const backend = new MemFs();
  backend.writeFile('from-backend.txt', 'written into the MemFs\n');
  const p9 = createP9Server({ fs: backend });
  const connections: VsockSocket[] = [];
  const server = createVsockServer((socket) => {
    connections.push(socket);
    void p9.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, () => resolve());
  });

  await check('the agent mounts vsock:1:5640 with trans=fd', async () => {
    const result = await mount({ source: `vsock:1:${PORT}`, mountPoint: MNT });
    assert.equal(result.fstabLine, null);
    assert.equal(existsSync(FSTAB), false, 'an fstab line was written for a vsock mount');
    const line = (await readFile('/proc/mounts', 'utf8'))
      .split('\n')
      .find((l) => l.includes(` ${MNT} `));
    assert.ok(line, `${MNT} is not in /proc/mounts`);
    // The kernel shows rfdno/wfdno as rfd/wfd.
    assert.match(line, /^vsock:1:5640 \/mnt\/vsock-share 9p .*trans=fd,rfd=3,wfd=3/);
    assert.equal(connections.length, 1);
    return line;
  });

  await check('a file in the p9 backend is read through the mount', async () => {
    const viaNode = await readFile(`${MNT}/from-backend.txt`, 'utf8');
    const viaCat = (await run('cat', [`${MNT}/from-backend.txt`])).stdout;
    assert.equal(viaNode, 'written into the MemFs\n');
    assert.equal(viaCat, viaNode);
    return `read ${JSON.stringify(viaNode)} (node and cat)`;
  });

  await check('files written through the mount land in the p9 backend', async () => {
    await writeFile(`${MNT}/from-guest.txt`, 'written through the kernel mount\n');
    await run('sh', ['-c', `echo "from a shell" > ${MNT}/from-shell.txt`]);
    const read = (name: string) => {
      const inode = backend.root.dir().get(name);
      assert.ok(inode, `${name} is not in the MemFs`);
      return inode.read(0n, 4096).toString();
    };
    assert.equal(read('from-guest.txt'), 'written through the kernel mount\n');
    assert.equal(read('from-shell.txt'), 'from a shell\n');
    return `MemFs holds ${[...backend.root.dir().keys()].sort().join(', ')}`;
  });

  await check('umount ends the connection: the agent kept no copy of the fd', async () => {
    const socket = connections[0];
    assert.ok(socket);
    const ended = new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      socket.once('close', () => resolve());
    });
    await run('umount', [MNT]);
    await Promise.race([
      ended,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the server saw no end after umount')), 10_000),
      ),
    ]);
    return 'the 9P server saw the connection close after umount';
  });

  await check('refusals: fstab: true, no listener, bad CID', async () => {
    const fstab = await refusal({ source: `vsock:1:${PORT}`, mountPoint: MNT, fstab: true });
    assert.equal(fstab.code, 'SCHEMA');
    assert.match(fstab.message, /fstab: true is impossible for vsock/);
    const refused = await refusal({ source: 'vsock:1:5999', mountPoint: MNT });
    assert.equal(refused.code, 'INTERNAL');
    assert.match(refused.message, /^mount vsock:1:5999: connect ECONNREFUSED vsock:1:5999/);
    const badCid = await refusal({ source: 'vsock:one:5640', mountPoint: MNT });
    assert.equal(badCid.code, 'SCHEMA');
    assert.match(badCid.message, /CID "one"/);
    return [fstab.message, refused.message, badCid.message].join(' | ');
  });

  await check('mount fails cleanly when the server is not 9P', async () => {
    // A server that hangs up at once: mount(8) fails, the agent reports its message.
    const rude = createVsockServer((socket) => socket.destroy()).listen(5641);
    await new Promise((resolve) => rude.once('listening', resolve));
    const failed = await refusal({ source: 'vsock:1:5641', mountPoint: '/mnt/rude' });
    rude.close();
    assert.equal(failed.code, 'INTERNAL');
    assert.match(failed.message, /^mount vsock:1:5641: /);
    return failed.message;
  });

  server.close();
  await p9.close();
}

main()
  .catch((error) => report('suite', false, String(error)))
  .finally(() => {
    console.log('MOUNT-DONE');
    process.exit(0);
  });
