import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileFormula } from '../compile/compile.js';
import { createFileLoader } from '../compose/loader.js';
import { resolveFormulaFile } from '../compose/resolve.js';
import { FormulaError, FormulaValidationError, formatIssue } from '../errors.js';
import { hostPciIds } from '../host/pci.js';
import { scaffoldFormula } from '../scaffold.js';
import { formulaJsonSchemaText } from '../schema/json-schema.js';

const USAGE = `usage:
  mv-formula validate <files...> [--catalog dir]
  mv-formula compile <file> --to libvirt|qemu|fstab|cbor [--run-dir dir] [--kernel path]
                     [--initrd path] [--accel kvm|tcg] [--catalog dir]
  mv-formula schema
  mv-formula new <category> [--name name]`;

const TARGETS = ['libvirt', 'qemu', 'fstab', 'cbor'] as const;

/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface CliIo {
  stdout: (chunk: string | Uint8Array) => void;
  stderr: (text: string) => void;
}

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

/** What the CLI exits with when this package has a bug (`EX_SOFTWARE`). */
const INTERNAL_ERROR = 70;

/**
 * Runs `mv-formula` with `argv` (without the node and script words) and returns the exit
 * status: 0 done, 1 a formula is invalid or cannot compile, 2 bad usage, 70 a bug. No input
 * makes it print a stack trace: bad input is a located message, and a bug is one line too.
 */
export function runCli(argv: string[], io: CliIo): number {
  try {
    return run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    if (error instanceof FormulaValidationError) {
      for (const issue of error.issues) io.stderr(`${formatIssue(issue)}\n`);
      return 1;
    }
    if (error instanceof FormulaError) {
      io.stderr(`mv-formula: ${error.message}\n`);
      return 1;
    }
    io.stderr(`mv-formula: internal error: ${describeError(error)}\n`);
    return INTERNAL_ERROR;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      catalog: { type: 'string', multiple: true },
      'run-dir': { type: 'string' },
      kernel: { type: 'string' },
      initrd: { type: 'string' },
      accel: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function run(argv: string[], io: CliIo): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    io.stdout(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const loader = createFileLoader({ catalogDirs: values.catalog ?? [] });
  switch (command) {
    case 'validate': {
      if (rest.length === 0) fail(USAGE);
      let failed = 0;
      for (const file of rest) {
        try {
          resolveFormulaFile(file, { loader });
          io.stdout(`${file}: ok\n`);
        } catch (error) {
          failed += 1;
          if (error instanceof FormulaValidationError) {
            for (const issue of error.issues) io.stderr(`${formatIssue(issue)}\n`);
          } else if (error instanceof FormulaError) {
            io.stderr(`${file}: ${error.message}\n`);
          } else {
            io.stderr(`${file}: internal error: ${describeError(error)}\n`);
            return INTERNAL_ERROR;
          }
        }
      }
      return failed === 0 ? 0 : 1;
    }
    case 'compile': {
      const [file] = rest;
      const to = values.to;
      if (file === undefined || !TARGETS.some((t) => t === to)) fail(USAGE);
      const accel = values.accel;
      if (accel !== undefined && accel !== 'kvm' && accel !== 'tcg') fail('--accel is kvm or tcg');
      const formula = resolveFormulaFile(file, { loader });
      const pciIds = to === 'qemu' || to === 'libvirt' ? hostPciIds(formula) : {};
      const output = compileFormula(formula, to as (typeof TARGETS)[number], {
        // Relative paths on the command line are the caller's, from the working folder.
        runDir: resolve(values['run-dir'] ?? join(tmpdir(), 'multiverse', formula.name)),
        pciIds,
        ...(values.kernel === undefined ? {} : { kernel: resolve(values.kernel) }),
        ...(values.initrd === undefined ? {} : { initrd: resolve(values.initrd) }),
        ...(accel === undefined ? {} : { accelerator: accel }),
      });
      io.stdout(output);
      return 0;
    }
    case 'schema':
      io.stdout(formulaJsonSchemaText());
      return 0;
    case 'new': {
      const [category] = rest;
      if (category === undefined) fail(USAGE);
      io.stdout(scaffoldFormula(category, values.name));
      return 0;
    }
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
}
