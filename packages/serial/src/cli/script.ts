import type { Pattern } from '../console/expect-engine.js';
import { InvalidOptionError } from '../errors.js';

/** One step of an `mv-console` script, in command-line order. */
export type ScriptStep = { kind: 'expect'; pattern: Pattern } | { kind: 'send'; data: string };

/**
 * `/regex/flags` is a regular expression, anything else a literal. Literal and `--send` text
 * understand `\n`, `\r`, `\t`, `\e`, `\\` and `\xHH` (so `--type '\x03'` is Ctrl-C).
 */
export function parsePatternArgument(text: string): Pattern {
  const regex = /^\/(.+)\/([dgimsuvy]*)$/s.exec(text);
  if (!regex) return unescapeArgument(text);
  try {
    return new RegExp(regex[1] ?? '', regex[2]);
  } catch (error) {
    throw new InvalidOptionError('--expect', `bad regular expression ${text}: ${String(error)}`);
  }
}

export function unescapeArgument(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[nrte\\])/g, (_, code: string) => {
    switch (code) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'e':
        return '\x1b';
      case '\\':
        return '\\';
      default:
        return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    }
  });
}

/** Parses `\n`-style end-of-line names. */
export function parseEol(value: string | undefined): string {
  switch (value ?? 'lf') {
    case 'lf':
      return '\n';
    case 'cr':
      return '\r';
    case 'crlf':
      return '\r\n';
    default:
      throw new InvalidOptionError('--eol', `must be lf, cr or crlf, got ${value}`);
  }
}
