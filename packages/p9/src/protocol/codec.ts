import { DecodeError, EncodeError } from '../errors.js';
import { HEADER_SIZE, MAXWELEM, MessageType } from './constants.js';
import { type FieldKind, type Message, type MessageKind, messageFields } from './messages.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

const kindByType = new Map<number, MessageKind>();
for (const kind of Object.keys(messageFields) as MessageKind[]) {
  kindByType.set(MessageType[kind], kind);
}

/** The message kind for a type byte, or undefined for types 9P2000.L does not define. */
export function kindOfType(type: number): MessageKind | undefined {
  return kindByType.get(type);
}

type Fields = Record<string, unknown>;

function writeField(w: Writer, name: string, kind: FieldKind, value: unknown): void {
  switch (kind) {
    case 'u8':
      w.u8(value as number, name);
      return;
    case 'u16':
      w.u16(value as number, name);
      return;
    case 'u32':
      w.u32(value as number, name);
      return;
    case 'u64':
      w.u64(value as bigint, name);
      return;
    case 'str':
      w.str(value as string, name);
      return;
    case 'qid':
      w.qid(value as never, name);
      return;
    case 'qids': {
      const qids = value as unknown[];
      w.u16(qids.length, `${name} count`);
      for (const q of qids) w.qid(q as never, name);
      return;
    }
    case 'strs': {
      const strs = value as string[];
      w.u16(strs.length, `${name} count`);
      for (const s of strs) w.str(s, name);
      return;
    }
    case 'data': {
      const data = value as Uint8Array;
      if (!(data instanceof Uint8Array)) throw new EncodeError('expected a Buffer', name);
      w.u32(data.length, `${name} count`);
      w.bytes(data);
      return;
    }
  }
}

function readField(r: Reader, name: string, kind: FieldKind): unknown {
  switch (kind) {
    case 'u8':
      return r.u8(name);
    case 'u16':
      return r.u16(name);
    case 'u32':
      return r.u32(name);
    case 'u64':
      return r.u64(name);
    case 'str':
      return r.str(name);
    case 'qid':
      return r.qid(name);
    case 'qids': {
      const n = r.u16(`${name} count`);
      if (n > MAXWELEM) throw new DecodeError(`${name} count ${n} exceeds ${MAXWELEM}`, r.position);
      const out = [];
      for (let i = 0; i < n; i++) out.push(r.qid(name));
      return out;
    }
    case 'strs': {
      const n = r.u16(`${name} count`);
      if (n > MAXWELEM) throw new DecodeError(`${name} count ${n} exceeds ${MAXWELEM}`, r.position);
      const out = [];
      for (let i = 0; i < n; i++) out.push(r.str(name));
      return out;
    }
    case 'data': {
      const n = r.u32(`${name} count`);
      return r.bytes(n, name);
    }
  }
}

/** Encodes one message as a complete frame (size[4] type[1] tag[2] fields). */
export function encodeMessage(msg: Message): Buffer {
  const fields = messageFields[msg.type] as readonly (readonly [string, FieldKind])[] | undefined;
  if (!fields) throw new EncodeError(`unknown message type ${String(msg.type)}`, 'type');
  const dataField = fields.find(([, k]) => k === 'data');
  const dataLen = dataField ? ((msg as Fields)[dataField[0]] as Uint8Array | undefined)?.length : 0;
  const w = new Writer(256 + (dataLen ?? 0));
  w.u32(0, 'size');
  w.u8(MessageType[msg.type], 'type');
  w.u16(msg.tag, 'tag');
  for (const [name, kind] of fields) {
    const value = (msg as Fields)[name];
    if (value === undefined) throw new EncodeError('missing field', `${msg.type}.${name}`);
    writeField(w, `${msg.type}.${name}`, kind, value);
  }
  return w.frame();
}

/** The header of a frame, read without decoding the body. */
export interface FrameHeader {
  size: number;
  type: number;
  tag: number;
}

export function readHeader(frame: Buffer): FrameHeader {
  if (frame.length < HEADER_SIZE) {
    throw new DecodeError(`frame of ${frame.length} bytes is shorter than the header`, 0);
  }
  return { size: frame.readUInt32LE(0), type: frame.readUInt8(4), tag: frame.readUInt16LE(5) };
}

/**
 * Decodes one complete frame. Throws DecodeError when the size field disagrees with the frame,
 * the type is unknown, any length runs past the frame, or bytes are left over.
 */
export function decodeMessage(frame: Buffer): Message {
  const { size, type, tag } = readHeader(frame);
  if (size !== frame.length) {
    throw new DecodeError(
      `size field ${size} does not match frame length ${frame.length}`,
      0,
      type,
    );
  }
  const kind = kindByType.get(type);
  if (!kind) throw new DecodeError(`unknown message type ${type}`, 4, type);
  const r = new Reader(frame, HEADER_SIZE, frame.length, type);
  const msg: Fields = { type: kind, tag };
  for (const [name, fieldKind] of messageFields[kind] as readonly (readonly [
    string,
    FieldKind,
  ])[]) {
    msg[name] = readField(r, name, fieldKind);
  }
  r.expectEnd();
  return msg as Message;
}
