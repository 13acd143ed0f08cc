import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import { requireQemu } from '../helpers/qemu.js';

// busybox acpid turns the ACPI power button (system_powerdown) into `poweroff -f`, so the
// guest answers POWERDOWN with a real SHUTDOWN. The script runs again after system_reset.
const init = `
mkdir -p /etc/acpi/PWRF
printf '#!/bin/sh\\necho mv-qmp: power button\\npoweroff -f\\n' > /etc/acpi/PWRF/00000080
chmod +x /etc/acpi/PWRF/00000080
acpid -f -c /etc/acpi -l /tmp/acpid.log > /dev/null 2>&1 &
pid=$!
# Ready only once acpid holds the input devices open, or an early button press is lost.
while ! ls -l /proc/$pid/fd 2>/dev/null | grep -q /dev/input/event; do sleep 0.2; done
echo "mv-qmp: acpid ready"
`;

/** One booted guest for every event test (boots are slow under TCG on a shared machine). */
describe('QMP events from a booted guest', () => {
  let guest: Guest;
  let qmp: QmpClient;

  beforeAll(async () => {
    requireQemu();
    const initramfs = await buildInitramfs({ modules: ['button', 'evdev'], init, after: 'hang' });
    guest = await bootGuest({
      initramfs,
      memory: 256,
      timeout: 150_000,
      // A hot-plug capable PCIe root port for device_add/device_del.
      extraArgs: ['-device', 'pcie-root-port,id=rp1,bus=pcie.0,chassis=1'],
    });
    qmp = await QmpClient.connect({ path: guest.qmpSocket }, { retry: { timeout: 30_000 } });
    await guest.waitForOutput('mv-qmp: acpid ready', { timeout: 150_000 });
  });

  afterAll(async () => {
    await qmp?.close();
    await guest?.stop();
  });

  it('stop/cont emit STOP and RESUME, in order with the replies', async () => {
    const order: string[] = [];
    const offStop = qmp.on('STOP', () => order.push('STOP'));
    const offResume = qmp.on('RESUME', () => order.push('RESUME'));
    await qmp.execute('stop');
    order.push('stop returned');
    expect((await qmp.execute('query-status')).status).toBe('paused');
    await qmp.execute('cont');
    order.push('cont returned');
    offStop();
    offResume();
    expect(order).toEqual(['STOP', 'stop returned', 'RESUME', 'cont returned']);
    expect((await qmp.execute('query-status')).running).toBe(true);
  });

  it('query-block, query-chardev and human-monitor-command', async () => {
    const blocks = await qmp.execute('query-block');
    expect(Array.isArray(blocks)).toBe(true);
    const chardevs = await qmp.execute('query-chardev');
    expect(chardevs.map((c) => c.label)).toContain('console');
    const hmp = await qmp.execute('human-monitor-command', { 'command-line': 'info status' });
    expect(hmp).toMatch(/VM status: running/);
  });

  it('hot-plugs a virtio device and unplugs it, waiting for DEVICE_DELETED', async () => {
    await qmp.execute('device_add', { driver: 'virtio-rng-pci', id: 'rng1', bus: 'rp1' });
    const tree = await qmp.execute('qom-list', { path: '/machine/peripheral' });
    expect(tree.map((p) => p.name)).toContain('rng1');
    // Give the guest kernel time to bind the new device before asking it to let go.
    await new Promise((r) => setTimeout(r, 2000));
    const { event } = await qmp.executeAndWait(
      'device_del',
      { id: 'rng1' },
      'DEVICE_DELETED',
      (e) => e.data.device === 'rng1',
      { timeout: 60_000 },
    );
    expect(event.data.path).toBe('/machine/peripheral/rng1');
  });

  it('system_reset emits RESET and the guest boots again', async () => {
    const from = guest.output().length;
    // The image boots with -no-reboot; make a reset a reset instead of a shutdown.
    await qmp.execute('set-action', { reboot: 'reset' });
    const { event } = await qmp.executeAndWait('system_reset', undefined, 'RESET', undefined, {
      timeout: 30_000,
    });
    expect(event.data.guest).toBe(false);
    await guest.waitForOutput('mv-qmp: acpid ready', { from, timeout: 150_000 });
  });

  it('system_powerdown emits POWERDOWN, then SHUTDOWN when the guest powers off', async () => {
    const shutdown = qmp.waitForEvent('SHUTDOWN', undefined, { timeout: 60_000 });
    const { event } = await qmp.executeAndWait('system_powerdown', undefined, 'POWERDOWN');
    expect(event.event).toBe('POWERDOWN');
    const off = await shutdown.catch((err: unknown) => {
      throw new Error(`no SHUTDOWN; guest console tail:\n${guest.output().slice(-1500)}`, {
        cause: err,
      });
    });
    expect(off.data.guest).toBe(true);
    expect(off.data.reason).toBe('guest-shutdown');
  });
});
