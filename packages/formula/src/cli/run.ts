import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileFormula } from '../compile/compile.js';
import { createFileLoader } from '../compose/loader.js';
import { readFormulaFile } from '../compose/read-file.js';
import { resolveFormulaFile } from '../compose/resolve.js';
import { schemaReference } from '../compose/schema-reference.js';
import { FormulaError, FormulaValidationError, formatIssue, MacCollisionError } from '../errors.js';
import { hostPciIds } from '../host/pci.js';
import {
  formatLintIssue,
  type LoadedFormulaFile,
  lintFormulas,
  resolveFormulaFileWithSources,
} from '../lint/lint.js';
import { scaffoldFormula } from '../scaffold.js';
import { formulaJsonSchemaText } from '../schema/json-schema.js';
import { didYouMean } from '../schema/suggest.js';
import { parseFormulaYaml } from '../yaml/parse.js';

const USAGE = `usage:
  mv-formula validate <files...> [--strict] [--plan plan.yaml] [--catalog dir]
  mv-formula compile <file> --to libvirt|qemu|fstab|cbor [--run-dir dir] [--kernel path]
                     [--initrd path] [--accel kvm|tcg] [--catalog dir]
  mv-formula schema
  mv-formula new <category> [--name name] [--out file.yaml]

validate prints lint warnings (file:line:col: warning[code]: ...); --strict makes them errors.
--plan names a network plan (networks: [{ name }]) whose networks the formulas may use.`;

const COMMANDS = ['validate', 'compile', 'schema', 'new'] as const;
const TARGETS = ['libvirt', 'qemu', 'fstab', 'cbor'] as const;
const ACCELERATORS = ['kvm', 'tcg'] as const;

/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface CliIo {
  stdout: (chunk: string | Uint8Array) => void;
  stderr: (text: string) => void;
}

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

/** `--to xml: expected one of libvirt, qemu, fstab, cbor (did you mean "libvirt"?)` */
function badValue(option: string, value: string, accepted: readonly string[]): never {
  const close = didYouMean(value, accepted);
  const hint = close === undefined ? '' : ` (did you mean "${close}"?)`;
  fail(`mv-formula: ${option} ${value}: expected one of ${accepted.join(', ')}${hint}`);
}

/** What the CLI exits with when this package has a bug (`EX_SOFTWARE`). */
const INTERNAL_ERROR = 70;

/**
 * Runs `mv-formula` with `argv` (without the node and script words) and returns the exit
 * status: 0 done, 1 a formula is invalid or cannot compile (or, with `--strict`, has lint
 * warnings), 2 bad usage, 70 a bug. No input makes it print a stack trace: bad input is a
 * located message, and a bug is one line too.
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
      out: { type: 'string', short: 'o' },
      plan: { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The network names of a host plan file (`networks: [{ name: star0 }, ...]`). */
function planNetworks(file: string): string[] {
  const text = readFormulaFile(resolve(file));
  const parsed = parseFormulaYaml(text, { file });
  if (!parsed.ok) throw new FormulaValidationError(parsed.issues);
  const networks = (parsed.source.value as { networks?: unknown } | null)?.networks;
  if (!Array.isArray(networks)) {
    fail(`mv-formula: --plan ${file}: expected a plan with a networks: list`);
  }
  return networks
    .map((n) => (typeof n === 'object' && n !== null ? (n as { name?: unknown }).name : n))
    .filter((n): n is string => typeof n === 'string');
}

function run(argv: string[], io: CliIo): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(`mv-formula: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
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
      if (rest.length === 0) fail(`mv-formula: validate needs formula files\n${USAGE}`);
      const networks = values.plan === undefined ? undefined : planNetworks(values.plan);
      let failed = 0;
      const loadedFiles: LoadedFormulaFile[] = [];
      for (const file of rest) {
        try {
          loadedFiles.push(resolveFormulaFileWithSources(file, { loader }));
          io.stdout(`${file}: ok\n`);
        } catch (error) {
          failed += 1;
          if (error instanceof FormulaValidationError) {
            for (const issue of error.issues) io.stderr(`${formatIssue(issue)}\n`);
          } else if (error instanceof MacCollisionError) {
            io.stderr(`${file}: ${error.message}\n`);
          } else if (error instanceof FormulaError) {
            // The message names the file (or the base) it is about.
            io.stderr(`mv-formula: ${error.message}\n`);
          } else {
            io.stderr(`${file}: internal error: ${describeError(error)}\n`);
            return INTERNAL_ERROR;
          }
        }
      }
      const warnings = lintFormulas(
        loadedFiles.map((f) => f.formula),
        {
          sources: loadedFiles.flatMap((f) => f.sources),
          ...(networks === undefined ? {} : { networks }),
        },
      );
      const severity = values.strict ? 'error' : 'warning';
      for (const warning of warnings) io.stderr(`${formatLintIssue(warning, severity)}\n`);
      if (failed > 0) return 1;
      return values.strict && warnings.length > 0 ? 1 : 0;
    }
    case 'compile': {
      const [file, extra] = rest;
      if (file === undefined) fail(`mv-formula: compile needs a formula file\n${USAGE}`);
      if (extra !== undefined)
        fail(`mv-formula: compile takes one formula file, got "${extra}" too`);
      const to = values.to;
      if (to === undefined) fail(`mv-formula: compile needs --to (one of ${TARGETS.join(', ')})`);
      const target = TARGETS.find((t) => t === to);
      if (target === undefined) badValue('--to', to, TARGETS);
      const accel = values.accel;
      const accelerator = accel === undefined ? undefined : ACCELERATORS.find((a) => a === accel);
      if (accel !== undefined && accelerator === undefined)
        badValue('--accel', accel, ACCELERATORS);
      const formula = resolveFormulaFile(file, { loader });
      const pciIds = target === 'qemu' || target === 'libvirt' ? hostPciIds(formula) : {};
      const output = compileFormula(formula, target, {
        // Relative paths on the command line are the caller's, from the working folder.
        runDir: resolve(values['run-dir'] ?? join(tmpdir(), 'multiverse', formula.name)),
        pciIds,
        ...(values.kernel === undefined ? {} : { kernel: resolve(values.kernel) }),
        ...(values.initrd === undefined ? {} : { initrd: resolve(values.initrd) }),
        ...(accelerator === undefined ? {} : { accelerator }),
      });
      io.stdout(output);
      return 0;
    }
    case 'schema':
      io.stdout(formulaJsonSchemaText());
      return 0;
    case 'new': {
      const [category] = rest;
      if (category === undefined)
        fail(`mv-formula: new needs a category such as application/browser/brave\n${USAGE}`);
      const out = values.out === undefined ? undefined : resolve(values.out);
      const text = scaffoldFormula(category, values.name, {
        schema: schemaReference(out === undefined ? process.cwd() : dirname(out)),
      });
      if (out === undefined) io.stdout(text);
      else {
        // `wx`: an author's existing formula is never overwritten.
        try {
          writeFileSync(out, text, { flag: 'wx' });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'error';
          fail(`mv-formula: --out ${values.out}: cannot be written (${code})`);
        }
        io.stdout(`${values.out}: written\n`);
      }
      return 0;
    }
    default: {
      const close = didYouMean(command, COMMANDS);
      const hint = close === undefined ? '' : ` (did you mean "${close}"?)`;
      fail(`mv-formula: unknown command "${command}"${hint}\n${USAGE}`);
    }
  }
}
