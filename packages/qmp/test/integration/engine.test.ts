import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import { QmpCommandError, QmpConnectionClosedError } from '../../src/errors.js';
import { qapiCommands, qapiEvents } from '../../src/generated/index.js';
import { fdPassingSupport } from '../../src/index.js';
import { type BareQemu, startBareQemu } from '../helpers/qemu.js';

describe('QmpClient against qemu-system-x86_64 -machine none', () => {
  let qemu: BareQemu;
  let qmp: QmpClient;

  beforeAll(async () => {
    qemu = startBareQemu();
    qmp = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
  });
  afterAll(async () => {
    await qmp?.close();
    await qemu?.stop();
  });

  it('reads the greeting and negotiates OOB', () => {
    expect(qmp.greeting.QMP.version.qemu.major).toBeGreaterThanOrEqual(7);
    expect(qmp.greeting.QMP.capabilities).toContain('oob');
    expect(qmp.capabilities).toEqual(['oob']);
  });

  it('runs query-version, query-status and query-commands', async () => {
    const version = await qmp.execute('query-version');
    expect(version.qemu).toEqual(qmp.greeting.QMP.version.qemu);
    const status = await qmp.execute('query-status');
    expect(typeof status.running).toBe('boolean');
    expect(typeof status.status).toBe('string');
    const commands = await qmp.execute('query-commands');
    expect(commands.map((c) => c.name)).toContain('query-status');
  });

  it('reports CommandNotFound with class and desc', async () => {
    const err = await qmp.execute('no-such-command-xyz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect(err).toMatchObject({ errorClass: 'CommandNotFound', command: 'no-such-command-xyz' });
    expect((err as QmpCommandError).desc).toContain('no-such-command-xyz');
  });

  it('reports GenericError for bad arguments and DeviceNotFound for a missing path', async () => {
    const untyped: string = 'query-status';
    const err = await qmp.execute(untyped, { bogus: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect((err as QmpCommandError).errorClass).toBe('GenericError');
    expect((err as QmpCommandError).desc).toContain('bogus');
    const missing = await qmp
      .execute('qom-get', { path: '/nonexistent', property: 'x' })
      .catch((e: unknown) => e);
    expect((missing as QmpCommandError).errorClass).toBe('DeviceNotFound');
  });

  it('reads the one-line query-qmp-schema reply (~200 KB) and answers supports()', async () => {
    const schema = await qmp.schema();
    expect(schema.entries.length).toBeGreaterThan(1000);
    expect(JSON.stringify(schema.entries).length).toBeGreaterThan(150_000);
    await expect(qmp.supports('query-status')).resolves.toBe(true);
    await expect(qmp.supports('SHUTDOWN')).resolves.toBe(true);
    await expect(qmp.supports('no-such-command-xyz')).resolves.toBe(false);
    expect(schema.allowsOob('query-yank')).toBe(true);
  });

  it('has a generated type for every command and event the running QEMU reports', async () => {
    const schema = await qmp.schema();
    const missingCommands = [...schema.commands].filter((c) => !(c in qapiCommands));
    const missingEvents = [...schema.events].filter((e) => !(e in qapiEvents));
    expect(missingCommands).toEqual([]);
    expect(missingEvents).toEqual([]);
    expect(schema.commands.size).toBeGreaterThan(150);
  });

  it('documents the fd passing limit: getfd without SCM_RIGHTS is a GenericError', async () => {
    const err = await qmp.execute('getfd', { fdname: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect((err as QmpCommandError).desc).toMatch(/SCM_RIGHTS/);
    expect(fdPassingSupport()).toMatchObject({ scmRights: false, launchAddFd: true });
    await expect(qmp.sendFd(0, 'x')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('runs 1000 concurrent commands, each reply matched to its command', async () => {
    const names = ['query-status', 'query-version', 'query-name', 'query-uuid'] as const;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const name = names[i % names.length] ?? 'query-status';
        return qmp.execute(name).then((r) => ({ name, r }));
      }),
    );
    expect(results).toHaveLength(1000);
    for (const { name, r } of results) {
      if (name === 'query-status') expect(r).toHaveProperty('status');
      if (name === 'query-version') expect(r).toHaveProperty('qemu');
      if (name === 'query-uuid') expect(r).toHaveProperty('UUID');
    }
  });

  it('runs an OOB command (query-yank) while in-band commands are queued', async () => {
    const inBand = Array.from({ length: 50 }, () => qmp.execute('query-status'));
    const yank = await qmp.executeOob('query-yank');
    expect(Array.isArray(yank)).toBe(true);
    await Promise.all(inBand);
  });
});

describe('connection failures against real QEMU', () => {
  it('rejects a command in flight when QEMU is killed, naming the command', async () => {
    const qemu = startBareQemu();
    try {
      const qmp = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
      // query-qmp-schema takes long enough to still be in flight when SIGKILL lands.
      const pending = Array.from({ length: 100 }, () => qmp.execute('query-qmp-schema'));
      qemu.process.kill('SIGKILL');
      const settled = await Promise.allSettled(pending);
      const failures = settled.filter((s) => s.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        const err = (f as PromiseRejectedResult).reason;
        expect(err).toBeInstanceOf(QmpConnectionClosedError);
        expect((err as QmpConnectionClosedError).command).toBe('query-qmp-schema');
      }
      await expect(qmp.closed).resolves.toBeInstanceOf(QmpConnectionClosedError);
    } finally {
      await qemu.stop();
    }
  });

  it('rejects the handshake when the socket closes before the greeting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mv-qmp-close-'));
    const path = join(dir, 's');
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const err = await QmpClient.connect({ path }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QmpConnectionClosedError);
      expect((err as Error).message).toContain('before the greeting');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second client gets no greeting while QEMU serves the first (one client at a time)', async () => {
    const qemu = startBareQemu();
    try {
      const first = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
      const err = await QmpClient.connect({ path: qemu.socket }, { greetingTimeout: 500 }).catch(
        (e: unknown) => e,
      );
      expect((err as { code?: string }).code).toMatch(/TIMEOUT|CONNECTION_CLOSED/);
      // With retry, a client waits its turn: it gets the monitor once the first one leaves.
      const waiting = QmpClient.connect(
        { path: qemu.socket },
        { retry: { timeout: 10_000 }, greetingTimeout: 300 },
      );
      setTimeout(() => void first.close(), 700);
      const second = await waiting;
      await expect(second.execute('query-status')).resolves.toHaveProperty('status');
      await second.close();
    } finally {
      await qemu.stop();
    }
  });

  it('is usable over a plain socket handed to fromStream', async () => {
    const qemu = startBareQemu();
    try {
      await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } }).then((c) =>
        c.close(),
      );
      const socket = createConnection({ path: qemu.socket });
      await new Promise((resolve) => socket.once('connect', resolve));
      const qmp = await QmpClient.fromStream(socket, { oob: false });
      expect(qmp.capabilities).toEqual([]);
      await expect(qmp.executeOob('query-yank')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
      await qmp.close();
    } finally {
      await qemu.stop();
    }
  });
});

describe('-compat deprecated-input=reject', () => {
  it('rejects a deprecated command by policy with a typed error', async () => {
    const qemu = startBareQemu(['-compat', 'deprecated-input=reject']);
    try {
      const qmp = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
      // nbd-server-remove carries the `deprecated` feature in QEMU 7.2's schema.
      const err = await qmp.execute('nbd-server-remove', { name: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QmpCommandError);
      expect((err as QmpCommandError).desc).toMatch(/disabled by policy/);
      await qmp.close();
    } finally {
      await qemu.stop();
    }
  });
});
