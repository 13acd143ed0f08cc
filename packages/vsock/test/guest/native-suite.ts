// Runs INSIDE a tiny guest (node + the built addon + socat in its initramfs, modules vsock and
// vsock_loopback loaded), over CID 1 (loopback): never from the build machine itself, whose
// own vsock leads to its host. Prints one `VSOCK-RESULT {json}` line per check and
// `VSOCK-DONE` at the end; native-guest.test.ts reads them from the serial console.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import {
  connect,
  connectAddress,
  connectAsync,
  createServer,
  listen,
  listenAddress,
  localCid,
  type VsockServer,
  type VsockSocket,
} from '../../src/index.js';
import {
  type ConformanceTarget,
  once,
  readAll,
  runConformance,
  sleep,
} from '../../src/testing/index.js';
import { releaseFdChecks } from './release-fd-checks.js';
import {
  check,
  closeServer,
  connectRetrying,
  echoServer,
  LOOPBACK,
  largeBytes,
  report,
} from './suite-support.js';

async function connectError(
  options: Parameters<typeof connect>[0],
  block = 0,
): Promise<NodeJS.ErrnoException> {
  const socket = connect(options);
  // Listen for both now: 'close' follows 'error' in the same tick.
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const failed = new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
  // Block the event loop past the deadline: whichever of the timer and the completion libuv
  // runs first, the connect is seen after its deadline and must time out.
  if (block > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, block);
  const error = await failed;
  await closed;
  return error;
}

function run(
  command: string,
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

async function main(): Promise<void> {
  await check('localCid() answers through /dev/vsock', async () => {
    const cid = localCid();
    assert.equal(typeof cid, 'number');
    return `local CID ${cid}`;
  });

  await check('connection ends know their CIDs and ports', async () => {
    const server = await listen({ port: 5000 });
    const accepted = once<VsockSocket>(server, 'connection');
    const client = await connectAsync({ cid: LOOPBACK, port: 5000 });
    const peer = await accepted;
    assert.equal(client.remoteCid, LOOPBACK);
    assert.equal(client.remotePort, 5000);
    assert.equal(peer.remoteCid, LOOPBACK);
    assert.equal(peer.remotePort, client.localPort);
    assert.equal(peer.localPort, 5000);
    assert.deepEqual(server.address(), { cid: 4294967295, port: 5000 });
    client.destroy();
    peer.destroy();
    await closeServer(server);
    return `client ${client.localCid}:${client.localPort} -> server ${peer.localCid}:${peer.localPort}`;
  });

  const target: ConformanceTarget = {
    name: 'native vsock',
    async listen(onConnection: (socket: Duplex) => void) {
      // Through the address API, as the SDK's servers and clients will use it.
      const server = (await listenAddress('vsock:4294967295:5001', onConnection, {
        allowHalfOpen: true,
      })) as VsockServer;
      return { connect: () => connectAddress('vsock:1:5001'), close: () => closeServer(server) };
    },
  };
  for (const result of await runConformance(target, { largeBytes, concurrent: 200 })) {
    report(`conformance: ${result.name}`, result.ok, result.detail, result.ms);
  }

  await check('refused port: ECONNREFUSED naming CID and port', async () => {
    const error = await connectError({ cid: LOOPBACK, port: 7999 });
    assert.equal(error.code, 'ECONNREFUSED');
    assert.match(error.message, /vsock:1:7999/);
    return error.message;
  });

  await check('no transport for the CID: ENODEV', async () => {
    // Only the loopback transport is loaded in this guest, so CID 3 has no route at all.
    const error = await connectError({ cid: 3, port: 1 });
    assert.equal(error.code, 'ENODEV');
    assert.match(error.message, /vsock:3:1/);
    return error.message;
  });

  await check('connect timeout: ETIMEDOUT naming CID and port', async () => {
    const server = echoServer().listen(5002);
    await once(server, 'listening');
    const error = await connectError({ cid: LOOPBACK, port: 5002, timeout: 1 }, 50);
    assert.equal(error.code, 'ETIMEDOUT');
    assert.match(error.message, /vsock:1:5002/);
    await closeServer(server);
    return error.message;
  });

  await check('abort signal cancels a connect', async () => {
    const controller = new AbortController();
    const socket = connect({ cid: LOOPBACK, port: 7998, signal: controller.signal });
    controller.abort();
    const error = await once<NodeJS.ErrnoException>(socket, 'error').catch(
      (e) => e as NodeJS.ErrnoException,
    );
    assert.equal(error.code, 'ABORT_ERR');
    return error.message;
  });

  await check('server close with clients attached', async () => {
    const server = echoServer().listen(5003);
    await once(server, 'listening');
    const clients = await Promise.all(
      [1, 2, 3].map(() => connectAsync({ cid: LOOPBACK, port: 5003 })),
    );
    while (server.connections < 3) await sleep(10);
    let closed = false;
    server.close(() => {
      closed = true;
    });
    const refused = await connectError({ cid: LOOPBACK, port: 5003 });
    assert.equal(refused.code, 'ECONNREFUSED');
    // Attached clients keep working after close(), as with net.Server.
    for (const [i, client] of clients.entries()) {
      client.write(`still here ${i}`);
      assert.equal(String(await once(client, 'data')), `still here ${i}`);
    }
    assert.equal(closed, false, "'close' came while connections were open");
    for (const client of clients) client.end();
    while (!closed) await sleep(10);
    return 'new connects refused, 3 attached clients echoed, close after they ended';
  });

  await check('listening on a port in use: EADDRINUSE naming CID and port', async () => {
    const first = await listen({ port: 5007 });
    const second = createServer().listen({ port: 5007 });
    const error = await once<NodeJS.ErrnoException>(second, 'error').catch(
      (e) => e as NodeJS.ErrnoException,
    );
    assert.equal(error.code, 'EADDRINUSE');
    assert.match(error.message, /vsock:4294967295:5007/);
    await closeServer(first);
    assert.equal(first.address(), null);
    return error.message;
  });

  await check('allowCids refuses other peers before reading', async () => {
    let handled = 0;
    const server = createServer({ allowCids: [3] }, () => handled++).listen(5004);
    await once(server, 'listening');
    const drop = once<{ remoteCid: number; remotePort: number }>(server, 'drop');
    const client = await connectAsync({ cid: LOOPBACK, port: 5004 });
    client.write('should never be read');
    client.on('error', () => undefined);
    const dropped = await drop;
    const received = await readAll(client).catch(() => Buffer.alloc(0));
    assert.equal(dropped.remoteCid, LOOPBACK);
    assert.equal(received.length, 0);
    assert.equal(handled, 0);
    await closeServer(server);
    return `dropped CID ${dropped.remoteCid} port ${dropped.remotePort}`;
  });

  await check(
    'a worker terminated with open vsock handles does not crash the process',
    async () => {
      // The raw addon in a worker: a listening socket and a connected pair, all being polled.
      const code = `
      const { parentPort } = require('node:worker_threads');
      const a = require(process.env.MULTIVERSE_VSOCK_ADDON);
      const server = a.socket();
      if (a.bind(server, 4294967295, 5008) || a.listen(server, 8)) throw new Error('listen');
      new a.Poller(server, () => {}).start(1);
      const client = a.socket();
      a.connect(client, 1, 5008);
      new a.Poller(client, () => parentPort.postMessage('polled')).start(2);
    `;
      const worker = new Worker(code, { eval: true });
      await once(worker, 'message');
      const exitCode = await worker.terminate();
      // The process lives on, and the port the worker held is free again.
      const server = await listen({ port: 5008 });
      await closeServer(server);
      return `worker exited (${exitCode}); port 5008 reusable`;
    },
  );

  await check('interop: our client to socat VSOCK-LISTEN', async () => {
    const socat = run('/usr/bin/socat', ['VSOCK-LISTEN:5005', 'PIPE']);
    const client = await connectRetrying(5005);
    client.write('ping through socat');
    const echoed = String(await once(client, 'data'));
    client.destroy();
    await socat;
    assert.equal(echoed, 'ping through socat');
    return 'socat echoed our bytes';
  });

  await check('interop: socat VSOCK-CONNECT to our server', async () => {
    const server = echoServer().listen(5006);
    await once(server, 'listening');
    const result = await run(
      '/usr/bin/socat',
      ['-t', '2', '-', 'VSOCK-CONNECT:1:5006'],
      'hello from socat\n',
    );
    server.closeAllConnections();
    await closeServer(server);
    assert.equal(result.stdout, 'hello from socat\n', result.stderr);
    return 'our server echoed socat';
  });

  await releaseFdChecks();
}

main()
  .catch((error) => report('suite', false, String(error), 0))
  .finally(() => {
    console.log('VSOCK-DONE');
    process.exit(0);
  });
