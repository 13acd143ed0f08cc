import { stringifyJson } from './json.js';

export interface CommandToEncode {
  command: string;
  /** The command's `arguments` object; left out of the message when undefined. */
  args?: unknown;
  /** Out-of-band (`exec-oob`) rather than in-band (`execute`). */
  oob: boolean;
  id: number;
}

/**
 * One command as the line QEMU reads: `{"execute": name, "arguments": {...}, "id": n}` (or
 * `exec-oob`), in that key order, with a closing newline. Pure: no I/O, no checks; bigints
 * are written as JSON numbers (see `stringifyJson`).
 */
export function encodeCommand({ command, args, oob, id }: CommandToEncode): string {
  const message: Record<string, unknown> = oob ? { 'exec-oob': command } : { execute: command };
  if (args !== undefined) message.arguments = args;
  message.id = id;
  return `${stringifyJson(message)}\n`;
}
