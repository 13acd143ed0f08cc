import type { LiveSchema } from '../client/live-schema.js';

/**
 * Tab completion for qmp-shell from the live schema: the first word completes to command
 * names, later words to `argument=` names of that command.
 */
export function completeLine(schema: LiveSchema, line: string): [string[], string] {
  const text = line.replace(/^!/, '');
  const words = text.split(/\s+/);
  const current = words.at(-1) ?? '';
  if (words.length <= 1) {
    const hits = [...schema.commands].filter((c) => c.startsWith(current)).sort();
    return [hits, current];
  }
  const args = schema.argumentNames(words[0] ?? '');
  const used = new Set(words.slice(1, -1).map((w) => w.split('=')[0]));
  const hits = args
    .filter((a) => !used.has(a) && a.startsWith(current))
    .map((a) => `${a}=`)
    .sort();
  return [hits, current];
}
