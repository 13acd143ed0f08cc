import { randomBytes } from 'node:crypto';
import { LoginFailedError } from '../errors.js';
import type { ExpectMatch, ExpectOptions, Pattern } from './expect-engine.js';

/**
 * What shell scripting needs of a console: type a line, wait for text, quote what was seen.
 * `Console` is one; the scripts here know nothing else of it.
 */
export interface ShellConsole {
  sendLine(text?: string): Promise<void>;
  expect(patterns: Pattern | readonly Pattern[], options?: ExpectOptions): Promise<ExpectMatch>;
  recentText(): string;
}

export interface RunResult {
  /** What the command printed, `\r\n` turned into `\n`, echo and prompts excluded. */
  output: string;
  /** The command's exit status (`$?`). */
  status: number;
}

export interface RunOptions extends ExpectOptions {}

/**
 * Runs `command` in the POSIX shell (busybox sh, bash, dash) on the console and returns its
 * output and exit status. The command is framed by two markers made unique per call; in the
 * typed line they are split by an empty quoted string (`__MV""B_<id>`), so the terminal's echo
 * of the command can never be mistaken for the shell's output of it. The command is typed
 * on one line after `; `, so it must not end with `&` or a comment, nor exit the shell.
 */
export async function runCommand(
  console: ShellConsole,
  command: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const id = randomBytes(6).toString('hex');
  const begin = `__MVB_${id}__`;
  const end = new RegExp(`__MVE_${id}:(\\d+)__`);
  // One line: typed-ahead input would be echoed by the tty in the middle of the output.
  const line = `echo "__MV""B_${id}__"; ${command}; echo "__MV""E_${id}:$?__"`;
  await console.sendLine(line);
  await console.expect(begin, options);
  const done = await console.expect(end, options);
  const output = done.before.replace(/\r\n?/g, '\n').replace(/^\n/, '');
  return { output, status: Number(done.groups[1]) };
}

export interface LoginOptions extends ExpectOptions {
  user: string;
  password?: string;
  /** Default `/login: ?$/m`. */
  loginPrompt?: Pattern;
  /** Default `/[Pp]assword: ?$/m`. */
  passwordPrompt?: Pattern;
  /** The shell prompt that proves success; default `/[#$] ?$/m`. */
  shellPrompt?: Pattern;
  /** Texts that mean failure; default `Login incorrect`, `Authentication failure`. */
  failure?: readonly Pattern[];
  /** Send an end of line first to make getty print its prompt again; default true. */
  wake?: boolean;
}

/** Logs in at a getty/login prompt and waits for a shell prompt. */
export async function login(console: ShellConsole, options: LoginOptions): Promise<void> {
  const { user, password } = options;
  const loginPrompt = options.loginPrompt ?? /login: ?$/m;
  const passwordPrompt = options.passwordPrompt ?? /[Pp]assword: ?$/m;
  const shellPrompt = options.shellPrompt ?? /[#$] ?$/m;
  const failure = options.failure ?? ['Login incorrect', 'Authentication failure'];
  const wait = { timeout: options.timeout, signal: options.signal };
  if (options.wake !== false) await console.sendLine();
  await console.expect(loginPrompt, wait);
  await console.sendLine(user);
  const next = await console.expect([passwordPrompt, shellPrompt, ...failure], wait);
  if (next.index >= 2)
    throw new LoginFailedError(user, `the console said "${next.match}"`, console.recentText());
  if (next.index === 1) return;
  if (password === undefined)
    throw new LoginFailedError(
      user,
      'a password was asked for but none given',
      console.recentText(),
    );
  await console.sendLine(password);
  const result = await console.expect([shellPrompt, ...failure, loginPrompt], wait);
  if (result.index === 0) return;
  throw new LoginFailedError(user, `the console said "${result.match}"`, console.recentText());
}
