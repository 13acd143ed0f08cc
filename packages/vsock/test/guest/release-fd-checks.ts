// The releaseFd() checks of the in-guest suite: a connection handed to a child process as
// fd 3, the flags of the handed-over fd, and the refusals that keep bytes from being lost.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import {
  connect,
  connectAsync,
  createServer,
  type VsockSocket,
  VsockStateError,
} from '../../src/index.js';
import { once, sleep } from '../../src/testing/index.js';
import { check, closeServer, echoServer, LOOPBACK } from './suite-support.js';

export async function releaseFdChecks(): Promise<void> {
  await check('releaseFd hands the connection to a child process as fd 3', async () => {
    let peer: VsockSocket | undefined;
    let peerText = '';
    let peerEnded = false;
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      peer = socket;
      // The peer speaks first: with pauseOnConnect these bytes wait in the kernel for the child.
      socket.write('greeting\n');
      socket.on('data', (d) => (peerText += d));
      socket.on('end', () => (peerEnded = true));
    }).listen(5010);
    await once(server, 'listening');
    const client = await connectAsync({ cid: LOOPBACK, port: 5010, pauseOnConnect: true });
    while (!peer) await sleep(10);
    await sleep(200);
    const closed = once(client, 'close');
    const fd = client.releaseFd();
    assert.equal(client.destroyed, true);
    await closed;
    await sleep(200);
    assert.equal(peerEnded, false, 'the peer saw an end while our duplicate was open');
    // busy box sh reads fd 3 line by line and answers on it: both directions go through fd 3.
    const child = spawn(
      '/bin/sh',
      ['-c', 'for i in 1 2; do read -r line <&3 || exit 9; echo "child $$ got: $line" >&3; done'],
      { stdio: ['ignore', 'pipe', 'pipe', fd] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = once<number>(child, 'exit');
    await once(child, 'spawn');
    closeSync(fd);
    while (!peerText.includes('got: greeting\n')) await sleep(10);
    await sleep(200);
    assert.equal(peerEnded, false, 'the peer saw an end while the child still held the fd');
    peer?.write('second line\n');
    const code = await exited;
    assert.equal(code, 0, stderr);
    while (!peerEnded) await sleep(10);
    const lines = peerText.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/child \d+/, 'child')),
      ['child got: greeting', 'child got: second line'],
    );
    peer?.end();
    await closeServer(server);
    return `child ${child.pid} read and answered on fd 3; end reached the peer after it exited`;
  });

  await check('releaseFd gives a close-on-exec fd, blocking unless blocking: false', async () => {
    const server = echoServer().listen(5012);
    await once(server, 'listening');
    // fdinfo's flags (octal) are the file's f_flags plus O_CLOEXEC for this fd.
    const flags = (fd: number) => {
      const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/^flags:\s+([0-7]+)/m);
      assert.ok(line?.[1], `no flags in /proc/self/fdinfo/${fd}`);
      return Number.parseInt(line[1], 8);
    };
    const O_NONBLOCK = 0o4000;
    const O_CLOEXEC = 0o2000000;
    const blockingFd = (await connectAsync({ cid: LOOPBACK, port: 5012 })).releaseFd();
    const nonBlockingFd = (await connectAsync({ cid: LOOPBACK, port: 5012 })).releaseFd({
      blocking: false,
    });
    const [a, b] = [flags(blockingFd), flags(nonBlockingFd)];
    closeSync(blockingFd);
    closeSync(nonBlockingFd);
    server.closeAllConnections();
    await closeServer(server);
    assert.equal(a & O_NONBLOCK, 0, 'the default fd is non-blocking');
    assert.notEqual(a & O_CLOEXEC, 0, 'the fd is not close-on-exec');
    assert.notEqual(b & O_NONBLOCK, 0, 'blocking: false gave a blocking fd');
    return `flags 0${a.toString(8)} (default), 0${b.toString(8)} (blocking: false)`;
  });

  await check('releaseFd refuses when a byte would be lost or there is no connection', async () => {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('error', () => undefined);
      socket.write('early bytes');
    }).listen(5011);
    await once(server, 'listening');
    const refusal = (socket: VsockSocket): string => {
      try {
        socket.releaseFd();
      } catch (error) {
        assert.ok(error instanceof VsockStateError, String(error));
        assert.equal(error.code, 'ERR_VSOCK_STATE');
        return error.state;
      }
      throw new Error('releaseFd() did not refuse');
    };
    const connecting = connect({ cid: LOOPBACK, port: 5011 });
    const states = [refusal(connecting)];
    await once(connecting, 'connect');
    // Read at connect (the default): the server's bytes land in the stream's buffer.
    while (connecting.readableLength === 0) await sleep(10);
    states.push(refusal(connecting));
    assert.equal(String(connecting.read()), 'early bytes', 'the refused socket lost its bytes');
    // 8 MiB to a peer that reads 64 KiB and stops: most of it waits in our stream.
    const writer = await connectAsync({ cid: LOOPBACK, port: 5011, pauseOnConnect: true });
    writer.on('error', () => undefined);
    writer.write(Buffer.alloc(8 * 1024 * 1024));
    await sleep(100);
    states.push(refusal(writer));
    connecting.destroy();
    states.push(refusal(connecting));
    writer.destroy();
    server.closeAllConnections();
    await closeServer(server);
    assert.deepEqual(states, ['not-connected', 'buffered-data', 'pending-write', 'destroyed']);
    return states.join(', ');
  });
}
