// Runs INSIDE a tiny guest (node + the vsock addon, modules 9p, 9pnet_fd, vsock_loopback,
// qemu_fw_cfg) over CID 1 (loopback), in one node process:
// - a @multiverse-os/p9 server on a MemFs listens on vsock, and the agent's own mount method
//   mounts it with trans=fd;
// - the agent (serveAgent) listens on another vsock port and the host client
//   (AgentClient.connect) reaches it through a native vsock connection: TLS with the pinned
//   keys the host test made (handed over by QEMU fw_cfg: the guest has no openssl), ping, exec,
//   and the file methods, which need the fsat addon shipped beside the script.
// Prints one `VSOCK-RESULT {json}` line per check and `VSOCK-DONE`; agent-vsock.test.ts reads
// them from the serial console.
// Files under the mount are read with fs/promises or by child processes only: this process
// also serves the 9P requests, so a synchronous read here would wait for itself.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createServer as createP9Server, MemFs } from '@multiverse-os/p9';
import {
  connectAsync as connectVsock,
  createServer as createVsockServer,
  type VsockSocket,
} from '@multiverse-os/vsock';
import { type AgentSession, serveAgent } from '../../src/agent/agent.js';
import { AgentConfigSchema } from '../../src/agent/config.js';
import { mountShare } from '../../src/agent/methods/mount.js';
import { AgentClient } from '../../src/client/client.js';
import { methods, type Params } from '../../src/protocol/methods.js';
import type { Identity } from '../../src/tls/identity.js';

const run = promisify(execFile);
const PORT = 5640;
const MNT = '/mnt/vsock-share';
const FSTAB = '/tmp/fstab';
const AGENT_PORT = 5642;
/** The one root the agent's file methods may use. */
const FILES_ROOT = '/tmp/agent-files';
/** `{ host, portal }` identities from the host test (QEMU `-fw_cfg name=...,file=...`). */
const KEYS_FW_CFG_NAME = 'opt/org.multiverse-os/agent-vsock-test-keys';

function report(name: string, ok: boolean, detail: string): void {
  console.log(`VSOCK-RESULT ${JSON.stringify({ name, ok, detail })}`);
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
  await agentOverVsock();
}

/** The agent protocol itself over native vsock: agent and host client in this process. */
async function agentOverVsock(): Promise<void> {
  let keys: { host: Identity; portal: Identity } | undefined;
  await check('the host keys arrive by fw_cfg', async () => {
    const path = `/sys/firmware/qemu_fw_cfg/by_name/${KEYS_FW_CFG_NAME}/raw`;
    keys = JSON.parse(await readFile(path, 'utf8')) as { host: Identity; portal: Identity };
    assert.ok(keys.host.cert && keys.portal.key, `${path} lacks a key or certificate`);
    return `read ${path}`;
  });
  const config = AgentConfigSchema.parse({
    identity: keys?.portal ?? { key: '-', cert: '-' },
    hostCert: keys?.host.cert ?? '-',
    allow: ['ping', 'exec', 'file.read', 'file.write', 'file.list'],
    paths: [FILES_ROOT],
  });
  const sessions: Promise<AgentSession>[] = [];
  const agentServer = createVsockServer((socket) => {
    const session = serveAgent(socket, config, { log: (line) => console.log(`agent: ${line}`) });
    session.catch(() => socket.destroy());
    sessions.push(session);
  });
  await new Promise<void>((resolve, reject) => {
    agentServer.once('error', reject);
    agentServer.listen(AGENT_PORT, () => resolve());
  });
  let client: AgentClient | undefined;
  let socket: VsockSocket | undefined;

  await check(
    `the host client reaches the agent on vsock:1:${AGENT_PORT} (TLS, pinned keys)`,
    async () => {
      assert.ok(keys, 'no keys');
      socket = await connectVsock({ cid: 1, port: AGENT_PORT });
      client = await AgentClient.connect(socket, {
        identity: keys.host,
        portalCert: keys.portal.cert,
        handshakeTimeout: 30_000,
      });
      const pong = await client.ping();
      assert.ok(pong.replied >= pong.received, 'the pong is out of order');
      return `ping answered over ${socket.localCid}:${socket.localPort} -> ${socket.remoteCid}:${socket.remotePort}`;
    },
  );

  await check('exec over vsock: output streamed back through the credit window', async () => {
    assert.ok(client && socket, 'no client');
    const uname = await client.run('uname', ['-r']);
    assert.equal(uname.exitCode, 0);
    assert.match(uname.stdout, /^6\./);
    // 1 MB is four credit windows of 256 KiB: the agent waits for the host's grants.
    const size = 1_000_000;
    const readBefore = socket.bytesRead;
    const big = client.exec({ command: 'head', args: ['-c', String(size), '/dev/zero'] });
    let bytes = 0;
    for await (const chunk of big.stdout) bytes += chunk.length;
    assert.equal(bytes, size);
    assert.equal((await big.result).exitCode, 0);
    const crossed = socket.bytesRead - readBefore;
    assert.ok(crossed > size, `only ${crossed} bytes crossed the vsock socket`);
    return `uname -r: ${uname.stdout.trim()}; ${bytes} bytes of stdout, ${crossed} on the socket`;
  });

  await check(
    'file methods open beneath their root with the bundled fsat addon; a dangling link is refused',
    async () => {
      assert.ok(client, 'no client');
      await mkdir(FILES_ROOT, { recursive: true });
      await symlink('/tmp/planted-outside', `${FILES_ROOT}/dangling`);
      const written = await client.writeFile(`${FILES_ROOT}/note`, Buffer.from('in the guest'));
      assert.equal(written.bytes, 12);
      assert.equal((await client.readFile(`${FILES_ROOT}/note`)).toString(), 'in the guest');
      const { entries } = await client.list(FILES_ROOT);
      assert.deepEqual(entries.map((e) => `${e.name}:${e.type}`).sort(), [
        'dangling:symlink',
        'note:file',
      ]);
      const refused = await client.writeFile(`${FILES_ROOT}/dangling`, Buffer.from('x')).then(
        () => 'not refused',
        (error: Error) => error.message,
      );
      assert.match(refused, /PERMISSION: .*is a symbolic link/);
      assert.equal(existsSync('/tmp/planted-outside'), false, 'the write landed outside');
      return `wrote, read and listed ${FILES_ROOT}; ${refused}`;
    },
  );

  await check('the host closes: the agent session ends', async () => {
    assert.ok(client, 'no client');
    client.close();
    const session = await sessions[0];
    assert.ok(session, 'the agent served no session');
    const record = await Promise.race([
      session.closed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the agent saw no close')), 10_000),
      ),
    ]);
    assert.match(record.reason, /closed/);
    return `agent: ${record.reason}`;
  });
  agentServer.close();
}

main()
  .catch((error) => report('suite', false, String(error)))
  .finally(() => {
    console.log('VSOCK-DONE');
    process.exit(0);
  });
