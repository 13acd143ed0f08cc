import { expect, it } from 'vitest';
import { QemuMachine } from '../../src/machine/index.js';
import { requireQemu } from '../helpers/qemu.js';

// The README's opening example, verbatim apart from the assertions.
it('runs the README example', async () => {
  requireQemu();
  const vm = await QemuMachine.launch({
    args: ['-machine', 'q35', '-m', '128', '-display', 'none', '-nodefaults'],
  });
  const qmp = vm.client;
  const status = await qmp.execute('query-status');
  expect(status.running).toBe(true);

  const order: string[] = [];
  qmp.on('STOP', () => order.push('STOP'));
  await qmp.execute('stop');
  order.push('stop returned');
  const resume = qmp.waitForEvent('RESUME', undefined, { timeout: 5_000 });
  await qmp.execute('cont');
  expect((await resume).timestamp.seconds).toBeGreaterThan(0);
  expect(order).toEqual(['STOP', 'stop returned']);

  // No guest OS answers the ACPI button here, so shutdown escalates to quit.
  const exit = await vm.shutdown({ powerdownTimeout: 2_000 });
  expect(exit.via).toBe('quit');
});
