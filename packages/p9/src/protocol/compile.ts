import { DecodeError, EncodeError } from '../errors.js';
import { MAXWELEM, MessageType } from './constants.js';
import { type FieldKind, type Message, type MessageKind, messageFields } from './messages.js';
import {
  COUNT_BYTES,
  FIELD_BYTES,
  FIELD_MAX,
  HEADER_SIZE,
  LENGTH_BYTES,
  MAX_U64,
  writeHeader,
} from './wire.js';

/** Writes one whole frame of `kind` from `tag` and the body's fields. */
export type BodyEncoder = (tag: number, body: object) => Buffer;
/** Reads the body of a frame whose header (size, type, tag) has been checked. */
export type BodyDecoder = (frame: Buffer, tag: number, borrow: boolean) => Message;

/**
 * The helpers generated code calls on its slow (error) paths, so every failure still names the
 * field and offset exactly as the table-walking Reader and Writer do.
 */
const runtime = {
  Buffer,
  MAXWELEM,
  MAX_U64,
  writeHeader,
  short(n: number, remain: number, at: number, type: number, what: string): never {
    throw new DecodeError(`${what} needs ${n} bytes but only ${remain} remain`, at, type);
  },
  trailing(n: number, at: number, type: number): never {
    throw new DecodeError(`${n} unexpected trailing bytes`, at, type);
  },
  tooMany(n: number, at: number, type: number, what: string): never {
    throw new DecodeError(`${what} ${n} exceeds ${MAXWELEM}`, at, type);
  },
  badInt(value: unknown, max: number, field: string): never {
    if (value === undefined) throw new EncodeError('missing field', field);
    throw new EncodeError(`${String(value)} is not an integer in 0..${max}`, field);
  },
  badU64(value: unknown, field: string): never {
    if (value === undefined) throw new EncodeError('missing field', field);
    throw new EncodeError(`${String(value)} is not a bigint in 0..2^64-1`, field);
  },
  badValue(value: unknown, expected: string, field: string): never {
    if (value === undefined) throw new EncodeError('missing field', field);
    throw new EncodeError(`expected ${expected}`, field);
  },
  longStr(len: number, field: string): never {
    throw new EncodeError(`${len} bytes is longer than 65535`, field);
  },
};

const MAX = FIELD_MAX;

/** Straight-line source, one statement per line, built up by the two generators below. */
class Source {
  readonly lines: string[] = [];
  add(...lines: string[]): void {
    this.lines.push(...lines);
  }
}

const q = JSON.stringify;

function intCheck(v: string, kind: 'u8' | 'u16' | 'u32', path: string): string {
  const max = MAX[kind];
  return `if (typeof ${v} !== 'number' || !(${v} >= 0 && ${v} <= ${max}) || ${v} % 1 !== 0) rt.badInt(${v}, ${max}, ${q(path)});`;
}

function u64Check(v: string, path: string): string {
  return `if (typeof ${v} !== 'bigint' || ${v} < 0n || ${v} > rt.MAX_U64) rt.badU64(${v}, ${q(path)});`;
}

/** Validation of a qid held in `v` (FIELD_BYTES.qid on the wire). */
function qidCheck(src: Source, v: string, path: string): void {
  src.add(
    `if (${v} === null || typeof ${v} !== 'object') rt.badValue(${v}, 'a qid', ${q(path)});`,
    intCheck(`${v}.type`, 'u8', `${path}.type`),
    intCheck(`${v}.version`, 'u32', `${path}.version`),
    u64Check(`${v}.path`, `${path}.path`),
  );
}

/**
 * Most u64 fields (sizes, seconds, nanoseconds, inode numbers) fit in 32 bits: writing those
 * as two u32s skips the BigInt shifts writeBigUInt64LE allocates, a third of a getattr's garbage.
 */
function u64Write(v: string, at = 'o'): string {
  return `if (${v} <= 0xffffffffn) { buf.writeUInt32LE(Number(${v}), ${at}); buf.writeUInt32LE(0, ${at} + 4); } else buf.writeBigUInt64LE(${v}, ${at});${at === 'o' ? ` o += ${FIELD_BYTES.u64};` : ''}`;
}

function qidWrite(v: string): string {
  return `buf[o] = ${v}.type; buf.writeUInt32LE(${v}.version, o + 1); ${u64Write(`${v}.path`, 'o + 5')} o += ${FIELD_BYTES.qid};`;
}

function encoderSource(
  kind: MessageKind,
  fields: readonly (readonly [string, FieldKind])[],
): string {
  const check = new Source();
  const write = new Source();
  let fixed = HEADER_SIZE;
  check.add(intCheck('tag', 'u16', `${kind}.tag`));
  fields.forEach(([name, fk], i) => {
    const v = `v${i}`;
    const path = `${kind}.${name}`;
    check.add(`const ${v} = body.${name};`);
    switch (fk) {
      case 'u8':
      case 'u16':
      case 'u32': {
        const bytes = FIELD_BYTES[fk];
        fixed += bytes;
        check.add(intCheck(v, fk, path));
        const put = {
          u8: `buf[o] = ${v};`,
          u16: `buf.writeUInt16LE(${v}, o);`,
          u32: `buf.writeUInt32LE(${v}, o);`,
        }[fk];
        write.add(`${put} o += ${bytes};`);
        return;
      }
      case 'u64':
        fixed += FIELD_BYTES.u64;
        check.add(u64Check(v, path));
        write.add(u64Write(v));
        return;
      case 'str':
        fixed += LENGTH_BYTES;
        check.add(
          `if (typeof ${v} !== 'string') rt.badValue(${v}, 'a string', ${q(path)});`,
          `const n${i} = rt.Buffer.byteLength(${v}, 'utf8');`,
          `if (n${i} > ${MAX.u16}) rt.longStr(n${i}, ${q(path)});`,
          `size += n${i};`,
        );
        write.add(
          `buf.writeUInt16LE(n${i}, o); o += ${LENGTH_BYTES}; o += buf.write(${v}, o, n${i}, 'utf8');`,
        );
        return;
      case 'qid':
        fixed += FIELD_BYTES.qid;
        qidCheck(check, v, path);
        write.add(qidWrite(v));
        return;
      case 'qids':
      case 'strs': {
        fixed += LENGTH_BYTES;
        check.add(
          `if (!Array.isArray(${v})) rt.badValue(${v}, 'an array', ${q(path)});`,
          intCheck(`${v}.length`, 'u16', `${path} count`),
        );
        write.add(`buf.writeUInt16LE(${v}.length, o); o += ${LENGTH_BYTES};`);
        if (fk === 'qids') {
          check.add(`for (const x of ${v}) {`);
          qidCheck(check, 'x', path);
          check.add('}', `size += ${FIELD_BYTES.qid} * ${v}.length;`);
          write.add(`for (const x of ${v}) { ${qidWrite('x')} }`);
        } else {
          check.add(
            `const n${i} = ${v}.map((x) => {`,
            `  if (typeof x !== 'string') rt.badValue(x, 'a string', ${q(path)});`,
            `  const n = rt.Buffer.byteLength(x, 'utf8');`,
            `  if (n > ${MAX.u16}) rt.longStr(n, ${q(path)});`,
            `  size += ${LENGTH_BYTES} + n;`,
            '  return n;',
            '});',
          );
          write.add(
            `${v}.forEach((x, j) => { buf.writeUInt16LE(n${i}[j], o); o += ${LENGTH_BYTES}; o += buf.write(x, o, n${i}[j], 'utf8'); });`,
          );
        }
        return;
      }
      case 'data':
        fixed += COUNT_BYTES;
        check.add(
          `if (!(${v} instanceof Uint8Array)) rt.badValue(${v}, 'a Buffer', ${q(path)});`,
          `size += ${v}.length;`,
        );
        write.add(
          `buf.writeUInt32LE(${v}.length, o); o += ${COUNT_BYTES}; buf.set(${v}, o); o += ${v}.length;`,
        );
        return;
    }
  });
  return [
    `let size = ${fixed};`,
    ...check.lines,
    'const buf = rt.Buffer.allocUnsafe(size);',
    `rt.writeHeader(buf, size, ${MessageType[kind]}, tag);`,
    `let o = ${HEADER_SIZE};`,
    ...write.lines,
    'return buf;',
  ].join('\n');
}

function need(n: string, what: string): string {
  return `if (${n} > end - o) rt.short(${n}, end - o, o, TYPE, ${q(what)});`;
}

function decoderSource(
  kind: MessageKind,
  fields: readonly (readonly [string, FieldKind])[],
): string {
  const src = new Source();
  src.add(
    `const TYPE = ${MessageType[kind]};`,
    'const end = frame.length;',
    `let o = ${HEADER_SIZE};`,
  );
  const readQid =
    '{ type: frame[o], version: frame.readUInt32LE(o + 1), path: frame.readBigUInt64LE(o + 5) }';
  fields.forEach(([name, fk], i) => {
    const v = `v${i}`;
    switch (fk) {
      case 'u8':
        src.add(need(`${FIELD_BYTES.u8}`, name), `const ${v} = frame[o]; o += ${FIELD_BYTES.u8};`);
        return;
      case 'u16':
        src.add(
          need(`${FIELD_BYTES.u16}`, name),
          `const ${v} = frame.readUInt16LE(o); o += ${FIELD_BYTES.u16};`,
        );
        return;
      case 'u32':
        src.add(
          need(`${FIELD_BYTES.u32}`, name),
          `const ${v} = frame.readUInt32LE(o); o += ${FIELD_BYTES.u32};`,
        );
        return;
      case 'u64':
        src.add(
          need(`${FIELD_BYTES.u64}`, name),
          `const ${v} = frame.readBigUInt64LE(o); o += ${FIELD_BYTES.u64};`,
        );
        return;
      case 'str':
        src.add(
          need(`${LENGTH_BYTES}`, `${name} length`),
          `const n${i} = frame.readUInt16LE(o); o += ${LENGTH_BYTES};`,
          need(`n${i}`, name),
          `const ${v} = frame.toString('utf8', o, o + n${i}); o += n${i};`,
        );
        return;
      case 'qid':
        src.add(
          need(`${FIELD_BYTES.qid}`, name),
          `const ${v} = ${readQid}; o += ${FIELD_BYTES.qid};`,
        );
        return;
      case 'qids':
      case 'strs':
        src.add(
          need(`${LENGTH_BYTES}`, `${name} count`),
          `const n${i} = frame.readUInt16LE(o); o += ${LENGTH_BYTES};`,
          `if (n${i} > rt.MAXWELEM) rt.tooMany(n${i}, o, TYPE, ${q(`${name} count`)});`,
          `const ${v} = [];`,
          `for (let j = 0; j < n${i}; j++) {`,
        );
        if (fk === 'qids')
          src.add(
            need(`${FIELD_BYTES.qid}`, name),
            `  ${v}.push(${readQid}); o += ${FIELD_BYTES.qid};`,
          );
        else
          src.add(
            need(`${LENGTH_BYTES}`, `${name} length`),
            `  const n = frame.readUInt16LE(o); o += ${LENGTH_BYTES};`,
            need('n', name),
            `  ${v}.push(frame.toString('utf8', o, o + n)); o += n;`,
          );
        src.add('}');
        return;
      case 'data':
        // Copied out unless the caller owns the frame (`borrow`): then a view, one copy fewer.
        src.add(
          need(`${COUNT_BYTES}`, `${name} count`),
          `const n${i} = frame.readUInt32LE(o); o += ${COUNT_BYTES};`,
          need(`n${i}`, name),
          `const ${v} = borrow ? frame.subarray(o, o + n${i}) : rt.Buffer.from(frame.subarray(o, o + n${i})); o += n${i};`,
        );
        return;
    }
  });
  const props = fields.map(([name], i) => `${name}: v${i}`);
  src.add(
    'if (o !== end) rt.trailing(end - o, o, TYPE);',
    `return { type: ${q(kind)}, tag, ${props.join(', ')} };`,
  );
  return src.lines.join('\n');
}

/**
 * Turns the message table into one straight-line encoder and decoder per kind, once at load.
 * Each function reads and writes named properties in a fixed order, so V8 sees one object
 * shape per kind instead of a loop over field names (the table says which fields a message
 * has, wire.ts how each field and the header are laid out; this only changes how they are
 * executed). The sources contain nothing but
 * field names from `messageFields` and numbers.
 */
function compile(): {
  encoders: Map<MessageKind, BodyEncoder>;
  decoders: Map<MessageKind, BodyDecoder>;
} {
  const encoders = new Map<MessageKind, BodyEncoder>();
  const decoders = new Map<MessageKind, BodyDecoder>();
  for (const kind of Object.keys(messageFields) as MessageKind[]) {
    const fields = messageFields[kind] as readonly (readonly [string, FieldKind])[];
    const enc = new Function(
      'rt',
      `return function encode${kind}(tag, body) {\n${encoderSource(kind, fields)}\n};`,
    );
    const dec = new Function(
      'rt',
      `return function decode${kind}(frame, tag, borrow) {\n${decoderSource(kind, fields)}\n};`,
    );
    encoders.set(kind, enc(runtime) as BodyEncoder);
    decoders.set(kind, dec(runtime) as BodyDecoder);
  }
  return { encoders, decoders };
}

export const { encoders, decoders } = compile();
