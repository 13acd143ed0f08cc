#!/usr/bin/env node
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { QmpClient } from '../client/client.js';
import { QmpCommandError, QmpError } from '../errors.js';
import type { QmpAddress } from '../transport/connect.js';
import { completeLine } from './completer.js';
import { formatValue } from './format.js';
import { parseShellLine } from './parse.js';

const USAGE = `usage: qmp-shell [options] <socket-path | host:port>

  -e, --exec <line>     run one command (repeatable) and exit; non-zero exit on error
  -t, --timeout <ms>    per-command timeout (default none)
      --history <file>  history file (default ~/.qmp-shell_history)
      --no-events       do not print events
  -h, --help

Lines: \`command key=value ...\` (values parsed as JSON when possible, a.b=1 nests),
raw JSON (\`{"execute": "query-status"}\`), or \`!command ...\` for out-of-band.`;

function address(target: string): QmpAddress {
  const tcp = /^(?:(.+):)?(\d+)$/.exec(target);
  if (tcp && !existsSync(target)) return { host: tcp[1] ?? '127.0.0.1', port: Number(tcp[2]) };
  return { path: target };
}

async function run(client: QmpClient, line: string, timeout: number | undefined): Promise<boolean> {
  const command = parseShellLine(line);
  if (!command) return true;
  const run = command.oob ? client.executeOob.bind(client) : client.execute.bind(client);
  const name: string = command.name;
  try {
    const result = await run(name, command.args, { timeout });
    process.stdout.write(`${formatValue(result)}\n`);
    return true;
  } catch (err) {
    if (err instanceof QmpCommandError)
      process.stderr.write(`error: ${err.errorClass}: ${err.desc}\n`);
    else process.stderr.write(`error: ${(err as Error).message}\n`);
    return false;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      exec: { type: 'string', short: 'e', multiple: true },
      timeout: { type: 'string', short: 't' },
      history: { type: 'string' },
      'no-events': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  const client = await QmpClient.connect(address(positionals[0] as string), {
    retry: { timeout: 5_000 },
  });
  try {
    if (values.exec) {
      for (const line of values.exec) {
        try {
          if (!(await run(client, line, timeout))) return 1;
        } catch (err) {
          process.stderr.write(`error: ${(err as Error).message}\n`);
          return 1;
        }
      }
      return 0;
    }
    return await interactive(client, timeout, values.history, !values['no-events']);
  } finally {
    await client.close();
  }
}

async function interactive(
  client: QmpClient,
  timeout: number | undefined,
  historyOption: string | undefined,
  showEvents: boolean,
): Promise<number> {
  const { qemu } = client.greeting.QMP.version;
  process.stdout.write(`Connected to QEMU ${qemu.major}.${qemu.minor}.${qemu.micro}\n`);
  const schema = await client.schema().catch(() => undefined);
  const historyFile = historyOption ?? join(homedir(), '.qmp-shell_history');
  const history = existsSync(historyFile)
    ? readFileSync(historyFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000)
    : [];
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '(QEMU) ',
    history,
    historySize: 1000,
    completer: (line: string) => (schema ? completeLine(schema, line) : [[], line]),
  });
  if (showEvents) {
    client.on('*', (event) => {
      process.stdout.write(`\n[event] ${formatValue(event)}\n`);
      rl.prompt(true);
    });
  }
  client.closed.then((reason) => {
    process.stderr.write(`\n${reason.message}\n`);
    rl.close();
  });
  rl.prompt();
  for await (const line of rl) {
    if (line.trim()) {
      try {
        appendFileSync(historyFile, `${line}\n`);
      } catch {
        // History is a convenience; a read-only home must not break the shell.
      }
      try {
        await run(client, line, timeout);
      } catch (err) {
        process.stderr.write(`error: ${err instanceof QmpError ? err.message : String(err)}\n`);
      }
    }
    if (client.isClosed) break;
    rl.prompt();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`qmp-shell: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
