import { describe, expect, it } from 'vitest';
import { QmpSession } from '../../src/client/session.js';
import { QmpConnectionClosedError } from '../../src/errors.js';
import type { QmpEventMessage } from '../../src/protocol/messages.js';
import { startBareQemu } from '../helpers/qemu.js';

describe('QmpSession (reconnect with backoff)', () => {
  it('reconnects after a drop and keeps its event listeners', async () => {
    const qemu = startBareQemu();
    try {
      const session = await QmpSession.open(
        { path: qemu.socket },
        { retry: { timeout: 20_000 }, greetingTimeout: 2_000, reconnect: { initialDelay: 20 } },
      );
      const events: string[] = [];
      session.on('STOP', (e: QmpEventMessage) => events.push(e.event));
      const states: string[] = [];
      session.onStateChange((s) => states.push(s));
      const first = await session.client();
      await first.close(); // the connection drops
      const second = await session.client();
      expect(second).not.toBe(first);
      await second.execute('stop');
      await second.execute('cont');
      expect(events).toEqual(['STOP']);
      expect(states).toEqual(['reconnecting', 'connected']);
      await session.close();
      await expect(session.client()).rejects.toBeInstanceOf(QmpConnectionClosedError);
    } finally {
      await qemu.stop();
    }
  });

  it('keeps trying while QEMU is gone and closes cleanly', async () => {
    const qemu = startBareQemu();
    const session = await QmpSession.open(
      { path: qemu.socket },
      { retry: { timeout: 20_000 }, reconnect: { initialDelay: 20, maxDelay: 100 } },
    );
    await qemu.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(session.state).toBe('reconnecting');
    const waiting = session.client();
    await session.close();
    await expect(waiting).rejects.toBeInstanceOf(QmpConnectionClosedError);
    expect(session.state).toBe('closed');
  });
});
