import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import { QmpLimitError } from '../../src/errors.js';
import { startBareQemu } from '../helpers/qemu.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-qmp-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A real socket peer (socat) that greets, accepts qmp_capabilities (id 1), then answers the
 * next command with `reply`, a shell pipeline writing to the socket.
 */
async function socatPeer(
  name: string,
  reply: string,
): Promise<{ path: string; peer: ChildProcess }> {
  const path = join(dir, `${name}.sock`);
  const greeting =
    '{"QMP":{"version":{"qemu":{"major":9,"minor":1,"micro":0},"package":"socat"},"capabilities":[]}}';
  // A script file: socat's own address syntax would split the JSON at its commas and colons.
  const script = join(dir, `${name}.sh`);
  writeFileSync(
    script,
    `printf '%s\\r\\n' '${greeting}'\nread l\nprintf '%s\\r\\n' '{"return":{},"id":1}'\nread l\n${reply}\n`,
  );
  const peer = spawn('socat', [`UNIX-LISTEN:${path}`, `EXEC:sh ${script}`], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(path); i++) await sleep(10);
  if (!existsSync(path)) throw new Error('socat did not start (apt-get install socat)');
  return { path, peer };
}

describe('QmpClient against real hostile peers', () => {
  it('closes on an endless reply line from socat (100 MB, no newline) with QmpLimitError', async () => {
    const { path, peer } = await socatPeer(
      'endless',
      `printf '{"return":"'; head -c 100000000 /dev/zero | tr '\\000' a`,
    );
    try {
      const qmp = await QmpClient.connect({ path }, { maxLineBytes: 1024 * 1024 });
      const error = await qmp.execute('query-status').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QmpLimitError);
      expect(error).toMatchObject({ limit: 'maxLineBytes', command: 'query-status' });
      expect(qmp.isClosed).toBe(true);
    } finally {
      peer.kill();
    }
  });

  it('real QEMU: the normal path works, and a bound below query-qmp-schema trips cleanly', async () => {
    const qemu = startBareQemu();
    try {
      const tight = await QmpClient.connect(
        { path: qemu.socket },
        { retry: { timeout: 20_000 }, maxLineBytes: 64 * 1024 },
      );
      expect((await tight.execute('query-status')).status).toBeTypeOf('string');
      const error = await tight.execute('query-qmp-schema').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', max: 64 * 1024 });
      expect(tight.isClosed).toBe(true);
      // QEMU keeps serving the next client, and the default bound fits its largest reply.
      const qmp = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
      const schema = await qmp.schema();
      expect(schema.hasCommand('query-status')).toBe(true);
      await qmp.close();
    } finally {
      await qemu.stop();
    }
  });
});
