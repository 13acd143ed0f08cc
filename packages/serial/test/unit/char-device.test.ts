import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Console,
  EndpointNotFoundError,
  openCharDevice,
  openVirtioSerialGuest,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-serial-chardev-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openCharDevice (guest side of virtio-serial ports)', () => {
  it('reads and writes a non-tty device file as a Duplex (a FIFO loops back)', async () => {
    // A FIFO opened read-write stands in for /dev/virtio-ports/<name>: same plain file I/O.
    const fifo = join(dir, 'port');
    execFileSync('mkfifo', [fifo]);
    const device = await openCharDevice(fifo);
    const console = new Console(device);
    await console.sendLine('through the device');
    const match = await console.expect('through the device\n', { timeout: 5000 });
    expect(match.before).toBe('');
    console.close();
    await console.done;
  });

  it('reports a missing port as ENDPOINT_NOT_FOUND with the full path', async () => {
    const error = await openVirtioSerialGuest('no-such-port').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointNotFoundError);
    expect((error as EndpointNotFoundError).endpoint).toBe('/dev/virtio-ports/no-such-port');
  });
});
