import { describe, expect, expectTypeOf, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import type { CommandArgs, CommandNameIn, Qapi, QmpEvents } from '../../src/index.js';
import { fakeServer } from '../helpers/fake-server.js';

// Type-level checks (verified by `tsc -b`) plus one run-time round trip through a typed call.
describe('typed API', () => {
  it('types arguments, returns and events from the generated schema', async () => {
    const { client } = fakeServer((cmd, send) =>
      send({ return: { status: 'running', running: true, singlestep: false }, id: cmd.id }),
    );
    const qmp = await QmpClient.fromStream(client);
    const status = await qmp.execute('query-status');
    expectTypeOf(status).toEqualTypeOf<Qapi.StatusInfo>();
    expectTypeOf(status.status).toExtend<string>();
    expect(status.status).toBe('running');

    // Required arguments are required; unknown commands are untyped.
    expectTypeOf<CommandArgs<'device_del'>>().toEqualTypeOf<Qapi.DeviceDelArguments>();
    if (Math.random() > 2) {
      // @ts-expect-error device_del needs { id }
      await qmp.execute('device_del');
      // @ts-expect-error wrong argument type
      await qmp.execute('device_del', { id: 1 });
      const anything: unknown = await qmp.execute('x-newer-than-9.1', { a: 1 });
      void anything;
    }
    qmp.on('SHUTDOWN', (e) => {
      expectTypeOf(e.data).toEqualTypeOf<QmpEvents['SHUTDOWN']>();
      expectTypeOf(e.data.reason).toExtend<string>();
    });
    // Per-release name sets: query-yank is in all three, a 9.1-only command is not in 7.2.
    expectTypeOf<'query-yank'>().toExtend<CommandNameIn<'7.2'>>();
    expectTypeOf<'cxl-add-dynamic-capacity'>().not.toExtend<CommandNameIn<'7.2'>>();
    expectTypeOf<'cxl-add-dynamic-capacity'>().toExtend<CommandNameIn<'9.1'>>();
    // Enums accept values from future QEMUs.
    const future: Qapi.RunState = 'some-state-from-qemu-12';
    expect(future).toBe('some-state-from-qemu-12');
    // 64-bit fields admit bigint.
    expectTypeOf<Qapi.BlockDeviceInfo['image']['virtual-size']>().toEqualTypeOf<number | bigint>();
    await qmp.close();
  });
});
