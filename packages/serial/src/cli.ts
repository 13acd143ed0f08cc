#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { attach } from './attach/attach.js';
import { parseEol, parsePatternArgument, type ScriptStep, unescapeArgument } from './cli/script.js';
import { Console } from './console/console.js';
import { openEndpoint } from './endpoints/open.js';
import { parseEndpoint } from './endpoints/spec.js';
import { InvalidOptionError, SerialError } from './errors.js';
import { recordTranscript, type Transcript } from './transcript/transcript.js';

const USAGE = `Usage: mv-console [options] <endpoint>

Attach the terminal to a console (Ctrl-] detaches), or script it with --expect/--send.

Endpoints:
  /dev/ttyS0, /dev/pts/3, serial:PATH[,baud=N][,flow=rtscts|xonxoff|none], pty:PATH
  unix:PATH (QEMU server=on chardev), unix-listen:PATH (QEMU server=off chardev)
  tcp:HOST:PORT, tcp-listen:HOST:PORT, file:PATH (log file, followed), device:PATH
  a bare path: a Unix socket, else a followed file

Options:
  --expect PAT      wait for PAT (/regex/flags or literal text); repeatable, runs in order
  --send TEXT       send TEXT and an end of line; repeatable, runs in order
  --type TEXT       send TEXT as is (\\r \\n \\t \\e \\xHH understood; '\\x03' is Ctrl-C)
  --timeout MS      per --expect (default 30000)
  --attach          attach after the script (default when there is no script)
  --transcript FILE append every byte, with timestamps, to FILE
  --eol lf|cr|crlf  end of line for --send (default lf)
  --baud N          serial baud rate (default 115200)
  --retry MS        keep trying to connect for MS (default 0)
  --quiet           do not copy console output to stdout while scripting
  --help

Exit status: 0 done, 1 an --expect timed out or the console closed, 2 bad usage or endpoint.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: {
      expect: { type: 'string', multiple: true },
      send: { type: 'string', multiple: true },
      type: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      attach: { type: 'boolean' },
      transcript: { type: 'string' },
      eol: { type: 'string' },
      baud: { type: 'string' },
      retry: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new InvalidOptionError('endpoint', 'give exactly one endpoint');
  const eol = parseEol(values.eol);
  const steps: ScriptStep[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'expect')
      steps.push({ kind: 'expect', pattern: parsePatternArgument(token.value) });
    if (token.name === 'send')
      steps.push({ kind: 'send', data: unescapeArgument(token.value) + eol });
    if (token.name === 'type') steps.push({ kind: 'send', data: unescapeArgument(token.value) });
  }
  const timeout = number('--timeout', values.timeout ?? '30000');
  const spec = parseEndpoint(positionals[0] ?? '');
  if (spec.kind === 'serial' && values.baud) spec.baudRate = number('--baud', values.baud);
  const stream = await openEndpoint(spec, { retryFor: number('--retry', values.retry ?? '0') });
  const console = new Console(stream, { timeout, eol });
  let transcript: Transcript | undefined;
  if (values.transcript) transcript = recordTranscript(console, values.transcript);
  try {
    if (steps.length > 0) {
      const echo = values.quiet ? undefined : console.reader();
      echo?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
      for (const step of steps) {
        if (step.kind === 'send') await console.send(step.data);
        else await console.expect(step.pattern);
      }
      echo?.destroy();
    }
    if (steps.length === 0 || values.attach) {
      if (process.stdin.isTTY) process.stderr.write('mv-console: attached; Ctrl-] detaches\r\n');
      const reason = await attach(console);
      if (reason === 'closed') process.stderr.write('\r\nmv-console: the console closed\r\n');
    }
    return 0;
  } finally {
    await transcript?.stop();
    console.close();
  }
}

function number(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidOptionError(option, `must be a whole number, got ${text}`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = error instanceof SerialError ? error.code : '';
    const usage =
      code === 'INVALID_OPTION' || code === 'INVALID_ENDPOINT' || code.startsWith('ENDPOINT');
    process.stderr.write(
      `\nmv-console: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(usage || !(error instanceof SerialError) ? 2 : 1);
  },
);
