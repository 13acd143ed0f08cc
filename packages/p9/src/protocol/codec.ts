import { DecodeError, EncodeError } from '../errors.js';
import { decoders, encoders } from './compile.js';
import { MessageType } from './constants.js';
import { type Message, type MessageKind, messageFields } from './messages.js';
import { readHeader } from './wire.js';

const kindByType = new Map<number, MessageKind>();
for (const kind of Object.keys(messageFields) as MessageKind[]) {
  kindByType.set(MessageType[kind], kind);
}

/** The message kind for a type byte, or undefined for types 9P2000.L does not define. */
export function kindOfType(type: number): MessageKind | undefined {
  return kindByType.get(type);
}

/** Encodes one message as a complete frame (size[4] type[1] tag[2] fields). */
export function encodeMessage(msg: Message): Buffer {
  return encodeBody(msg.type, msg.tag, msg);
}

/**
 * Encodes a frame from its kind, tag and a body holding the kind's fields: what a server has
 * after a handler returns, without building a message object first.
 */
export function encodeBody(kind: MessageKind, tag: number, body: object): Buffer {
  const encode = encoders.get(kind);
  if (!encode) throw new EncodeError(`unknown message type ${String(kind)}`, 'type');
  return encode(tag, body);
}

export interface DecodeOptions {
  /**
   * The caller owns `frame` and will not reuse it: `data` fields (Twrite, Rread, ...) are
   * views into the frame instead of copies. Off by default, so a decoded message never
   * changes under a caller that recycles its frame buffers.
   */
  borrowData?: boolean;
}

/**
 * Decodes one complete frame. Throws DecodeError when the size field disagrees with the frame,
 * the type is unknown, any length runs past the frame, or bytes are left over.
 */
export function decodeMessage(frame: Buffer, options?: DecodeOptions): Message {
  const { size, type, tag } = readHeader(frame);
  if (size !== frame.length) {
    throw new DecodeError(
      `size field ${size} does not match frame length ${frame.length}`,
      0,
      type,
    );
  }
  const kind = kindByType.get(type);
  const decode = kind && decoders.get(kind);
  if (!decode) throw new DecodeError(`unknown message type ${type}`, 4, type);
  return decode(frame, tag, options?.borrowData === true);
}
