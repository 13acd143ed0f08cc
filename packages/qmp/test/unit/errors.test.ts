import { describe, expect, it } from 'vitest';
import {
  QapiSchemaError,
  QemuMachineError,
  QmpAbortError,
  QmpArgumentError,
  QmpCommandError,
  QmpConnectError,
  QmpConnectionClosedError,
  QmpError,
  QmpJsonError,
  QmpProtocolError,
  QmpTimeoutError,
  QmpUnexpectedReplyError,
  QmpUnsupportedError,
} from '../../src/index.js';

// One row per error class: its stable code, name, and the fields callers rely on.
const table: Array<[Error, string, string, Record<string, unknown>]> = [
  [
    new QmpCommandError('device_del', 'DeviceNotFound', "Device 'x' not found", 3),
    'COMMAND_FAILED',
    'QmpCommandError',
    { command: 'device_del', errorClass: 'DeviceNotFound', desc: "Device 'x' not found", id: 3 },
  ],
  [new QmpProtocolError('bad'), 'PROTOCOL_ERROR', 'QmpProtocolError', {}],
  [
    new QmpJsonError('{x', 1, new SyntaxError('x')),
    'INVALID_JSON',
    'QmpJsonError',
    { position: 1 },
  ],
  [new QmpUnexpectedReplyError(42), 'UNEXPECTED_REPLY', 'QmpUnexpectedReplyError', { id: 42 }],
  [
    new QmpConnectionClosedError('query-status', 'peer closed the connection'),
    'CONNECTION_CLOSED',
    'QmpConnectionClosedError',
    { command: 'query-status', reason: 'peer closed the connection' },
  ],
  [
    new QmpConnectError('unix:/x', 'ENOENT'),
    'CONNECT_FAILED',
    'QmpConnectError',
    { address: 'unix:/x' },
  ],
  [new QmpTimeoutError('stop', 5), 'TIMEOUT', 'QmpTimeoutError', { what: 'stop', timeoutMs: 5 }],
  [new QmpAbortError('stop', 'why'), 'ABORTED', 'QmpAbortError', { what: 'stop', cause: 'why' }],
  [
    new QmpArgumentError('args', 'bad'),
    'INVALID_ARGUMENT',
    'QmpArgumentError',
    { argument: 'args' },
  ],
  [new QmpUnsupportedError('no'), 'UNSUPPORTED', 'QmpUnsupportedError', {}],
  [
    new QapiSchemaError('a.json', 3, 'bad'),
    'SCHEMA_ERROR',
    'QapiSchemaError',
    { file: 'a.json', line: 3 },
  ],
  [new QemuMachineError('gone'), 'MACHINE_ERROR', 'QemuMachineError', {}],
];

describe('error classes', () => {
  it.each(table)('%s has its code, name and fields', (err, code, name, fields) => {
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toBeInstanceOf(Error);
    expect((err as QmpError).code).toBe(code);
    expect(err.name).toBe(name);
    expect(err).toMatchObject(fields);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('names the command and reason in connection errors', () => {
    expect(new QmpConnectionClosedError('stop', 'QEMU died').message).toBe(
      'QMP connection closed while "stop" was in flight: QEMU died',
    );
  });
});
