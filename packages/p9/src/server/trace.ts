import { errnoName } from '../protocol/errno.js';
import type { Message } from '../protocol/messages.js';

function show(v: unknown): string {
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object' && v !== null && 'path' in v && 'type' in v) {
    const q = v as { type: number; path: bigint; version: number };
    return `(${q.path.toString(16)} ${q.version} ${q.type.toString(16)})`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

/** One readable line per message, in the style of diod's and Plan 9's traces. */
export function describeMessage(m: Message): string {
  const parts = [`${m.type} tag ${m.tag}`];
  for (const [k, v] of Object.entries(m)) {
    if (k === 'type' || k === 'tag') continue;
    parts.push(`${k} ${show(v)}`);
  }
  if (m.type === 'Rlerror') parts.push(errnoName(m.ecode));
  return parts.join(' ');
}
