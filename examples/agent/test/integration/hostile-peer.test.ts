import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../src/errors.js';
import { HEADER_SIZE } from '../../src/protocol/frame.js';
import { RpcPeer } from '../../src/rpc/peer.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-agent-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RpcPeer against a real hostile peer (socat)', () => {
  it('closes with FLOW when the peer floods bad frames and never reads the answers', async () => {
    // 200 000 frames of an unknown type: each earns an ERROR frame back, which socat's child
    // never reads, so the answers pile up in our socket's write buffer.
    const frames = Buffer.alloc(200_000 * HEADER_SIZE);
    for (let i = 0; i < 200_000; i++) {
      const at = i * HEADER_SIZE;
      frames.writeUInt32BE(HEADER_SIZE - 4, at);
      frames.writeUInt8(1, at + 4);
      frames.writeUInt8(99, at + 5);
      frames.writeUInt32BE(2 * i + 1, at + 8);
    }
    const data = join(dir, 'frames.bin');
    writeFileSync(data, frames);
    const script = join(dir, 'peer.sh');
    writeFileSync(script, `cat ${data}\nsleep 30\n`);
    const path = join(dir, 'peer.sock');
    const peer = spawn('socat', [`UNIX-LISTEN:${path}`, `EXEC:sh ${script}`], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 200 && !existsSync(path); i++) await sleep(10);
      if (!existsSync(path)) throw new Error('socat did not start (apt-get install socat)');
      const socket = createConnection(path);
      const agent = new RpcPeer(socket, { role: 'agent', maxWriteBacklog: 256 * 1024 });
      await Promise.race([agent.closed, sleep(20_000)]);
      expect(agent.isClosed).toBe(true);
      expect(agent.closeReason).toBeInstanceOf(AgentError);
      expect(agent.closeReason).toMatchObject({ code: 'FLOW' });
      expect(socket.destroyed).toBe(true);
    } finally {
      peer.kill();
    }
  });
});
