// Runs INSIDE the guest (bundled with its imports): opens the guest side of the `agent`
// virtio-serial port with this package's CharDevice and answers every line in upper case.
import { openVirtioSerialGuest } from '../../src/endpoints/char-device.js';

const port = await openVirtioSerialGuest('agent');
let pending = '';
port.on('data', (chunk: Buffer) => {
  pending += chunk.toString('utf8');
  for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    port.write(`echo:${line.toUpperCase()}\n`);
  }
});
port.on('end', () => process.stdout.write('echo-port: host side closed\n'));
process.stdout.write('echo-port ready\n');
