import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { InvalidOptionError } from '../errors.js';
import { directReadBinding } from './direct-read.js';
import { openFailure } from './errors-map.js';

export type FlowControl = 'none' | 'rtscts' | 'xonxoff';

export interface SerialPortOptions {
  /** Default 115200. */
  baudRate?: number;
  /** Default `none`. */
  flowControl?: FlowControl;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits?: 1 | 1.5 | 2;
}

/**
 * Opens a serial device or a pty (`/dev/ttyS0`, `/dev/ttyUSB0`, `/dev/pts/3`) with the
 * `serialport` package; resolves once it is open. The returned `SerialPort` is a Duplex.
 */
export async function openSerialPort(
  path: string,
  options: SerialPortOptions = {},
): Promise<SerialPort> {
  const baudRate = options.baudRate ?? 115200;
  if (!Number.isInteger(baudRate) || baudRate <= 0)
    throw new InvalidOptionError('baudRate', `must be a positive integer, got ${baudRate}`);
  const flowControl = options.flowControl ?? 'none';
  if (!['none', 'rtscts', 'xonxoff'].includes(flowControl))
    throw new InvalidOptionError(
      'flowControl',
      `must be none, rtscts or xonxoff, got ${flowControl}`,
    );
  try {
    await stat(path);
  } catch (error) {
    throw openFailure(path, error);
  }
  const settings = {
    path,
    baudRate,
    rtscts: flowControl === 'rtscts',
    xon: flowControl === 'xonxoff',
    xoff: flowControl === 'xonxoff',
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    // A console must never be taken from under another process by accident.
    lock: true,
    // serialport's binding with a direct, thread-pool-free read (see direct-read.ts). The
    // `SerialPort` constructor takes a binding at run time; its options type leaves it out.
    binding: directReadBinding,
  };
  return new Promise((resolve, reject) => {
    const port = new SerialPort(settings, (error) => {
      if (error) reject(openFailure(path, error));
      else resolve(port);
    });
  });
}

/** Changes the baud rate of an open port. */
export function setBaudRate(port: SerialPort, baudRate: number): Promise<void> {
  if (!Number.isInteger(baudRate) || baudRate <= 0)
    throw new InvalidOptionError('baudRate', `must be a positive integer, got ${baudRate}`);
  return new Promise((resolve, reject) => {
    port.update({ baudRate }, (error) => (error ? reject(error) : resolve()));
  });
}
