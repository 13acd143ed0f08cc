import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config.js';

const OUTPUT_LIMIT = 64 * 1024;

export interface HookResult {
  name: string;
  exitCode: number | null;
  output: string;
}

/** Runs one script: the interpreter reads it on stdin; output (both streams) is kept, capped. */
function runScript(script: AgentConfig['hooks'][number], timeoutMs: number): Promise<HookResult> {
  return new Promise((resolve) => {
    const child = spawn(script.interpreter, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < OUTPUT_LIMIT)
        output += chunk.toString('utf8').slice(0, OUTPUT_LIMIT - output.length);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdin.on('error', () => {});
    child.stdin.end(script.inline);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({
        name: script.name,
        exitCode: null,
        output: `${script.interpreter}: ${error.message}`,
      });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ name: script.name, exitCode: code, output });
    });
  });
}

/** Runs the formula's scripts of one hook in order. */
export async function runHooks(
  hooks: AgentConfig['hooks'],
  hook: AgentConfig['hooks'][number]['hook'],
  onResult: (result: HookResult) => void = () => {},
  timeoutMs = 120_000,
): Promise<HookResult[]> {
  const results: HookResult[] = [];
  for (const script of hooks.filter((h) => h.hook === hook)) {
    const result = await runScript(script, timeoutMs);
    onResult(result);
    results.push(result);
  }
  return results;
}

/**
 * Runs the `once` hooks on the first start only: afterwards a mark in `stateDir` says they
 * ran (whatever their exit codes, as cloud-init's once-per-instance modules do), and later
 * starts run none.
 */
export async function runOnceHooks(
  config: Pick<AgentConfig, 'hooks' | 'stateDir'>,
  onResult?: (result: HookResult) => void,
): Promise<HookResult[]> {
  const mark = join(config.stateDir, 'once-hooks-ran');
  if (existsSync(mark)) return [];
  const results = await runHooks(config.hooks, 'once', onResult);
  mkdirSync(config.stateDir, { recursive: true });
  writeFileSync(mark, `${new Date().toISOString()}\n`);
  return results;
}
