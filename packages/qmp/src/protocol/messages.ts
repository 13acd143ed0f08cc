import { QmpProtocolError } from '../errors.js';

/** QEMU's version triple as reported in the greeting and by `query-version`. */
export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

/** The first message of every QMP session. */
export interface QmpGreeting {
  QMP: { version: QmpVersion; capabilities: string[] };
}

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

/** An asynchronous event. `data` is absent for events without members. */
export interface QmpEventMessage<N extends string = string, D = unknown> {
  event: N;
  data: D;
  timestamp: QmpTimestamp;
}

export interface QmpSuccessReply {
  return: unknown;
  id?: unknown;
}

export interface QmpErrorReply {
  error: { class: string; desc: string };
  id?: unknown;
}

/** Every message a QMP server can send, tagged by kind. */
export type QmpServerMessage =
  | { kind: 'greeting'; greeting: QmpGreeting }
  | { kind: 'return'; id: unknown; value: unknown }
  | { kind: 'error'; id: unknown; errorClass: string; desc: string }
  | { kind: 'event'; event: QmpEventMessage };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Classifies a decoded JSON value as a QMP server message. Unknown extra fields are ignored so
 * newer QEMUs keep working; a value that is none of the four shapes is a protocol error.
 */
export function classifyServerMessage(value: unknown): QmpServerMessage {
  if (!isObject(value)) {
    throw new QmpProtocolError(`QMP message is not a JSON object: ${preview(value)}`);
  }
  if ('return' in value) return { kind: 'return', id: value.id, value: value.return };
  if ('error' in value) {
    const error = value.error;
    if (!isObject(error)) {
      throw new QmpProtocolError(`QMP error reply without an error object: ${preview(value)}`);
    }
    return {
      kind: 'error',
      id: value.id,
      errorClass: typeof error.class === 'string' ? error.class : 'GenericError',
      desc: typeof error.desc === 'string' ? error.desc : preview(error),
    };
  }
  if (typeof value.event === 'string') {
    const timestamp = isObject(value.timestamp)
      ? (value.timestamp as unknown as QmpTimestamp)
      : { seconds: -1, microseconds: -1 };
    return { kind: 'event', event: { event: value.event, data: value.data, timestamp } };
  }
  if (isObject(value.QMP)) {
    const qmp = value.QMP;
    const capabilities = Array.isArray(qmp.capabilities)
      ? qmp.capabilities.filter((c): c is string => typeof c === 'string')
      : [];
    return { kind: 'greeting', greeting: { QMP: { version: greetingVersion(qmp), capabilities } } };
  }
  throw new QmpProtocolError(`unrecognised QMP message: ${preview(value)}`);
}

/** The greeting's version, checked: code reads `greeting.QMP.version.qemu.major` unguarded. */
function greetingVersion(qmp: Record<string, unknown>): QmpVersion {
  const version = qmp.version;
  const qemu = isObject(version) ? version.qemu : undefined;
  if (
    !isObject(version) ||
    !isObject(qemu) ||
    !Number.isSafeInteger(qemu.major) ||
    !Number.isSafeInteger(qemu.minor) ||
    !Number.isSafeInteger(qemu.micro)
  ) {
    throw new QmpProtocolError(
      `QMP greeting without a version {qemu: {major, minor, micro}}: ${preview(version)}`,
    );
  }
  return {
    qemu: { major: qemu.major as number, minor: qemu.minor as number, micro: qemu.micro as number },
    package: typeof version.package === 'string' ? version.package : '',
  };
}

function preview(v: unknown): string {
  let text: string;
  try {
    // JSON.stringify returns undefined (not a string) for undefined and functions.
    text =
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ??
      String(v);
  } catch {
    text = String(v);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** A command as written on the wire. */
export interface QmpCommandMessage {
  execute?: string;
  'exec-oob'?: string;
  arguments?: Record<string, unknown>;
  id?: unknown;
}
