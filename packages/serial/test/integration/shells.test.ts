import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Console, LoginFailedError, openSerialPort } from '../../src/index.js';
import { type Socat, startSocat } from '../helpers/socat.js';

let socat: Socat | undefined;
const scripts = mkdtempSync(join(tmpdir(), 'mv-serial-shells-'));
afterAll(() => rmSync(scripts, { recursive: true, force: true }));
let console: Console | undefined;

afterEach(async () => {
  console?.close();
  await socat?.stop();
  socat = undefined;
});

/**
 * An interactive program on its own pty (echo on, as on a real console), reached through a
 * second pty. The program is a script file: socat's EXEC does not parse shell quoting.
 */
async function onPty(name: string, script: string): Promise<Console> {
  const path = join(scripts, name.replace(/\W/g, '-'));
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  socat = await startSocat(['pty,raw,echo=0', `EXEC:${path},pty,stderr,setsid,ctty,sane`], 1);
  console = new Console(await openSerialPort(socat.ptys[0] ?? ''), { timeout: 15_000 });
  return console;
}

const shells: [string, string][] = [
  ['busybox sh', "PS1='$ ' exec busybox sh -i"],
  ['bash', "PS1='$ ' exec bash --norc --noprofile -i"],
  ['dash', "PS1='$ ' exec dash -i"],
];

describe('run() in real interactive shells on a pty', () => {
  for (const [name, program] of shells) {
    it(`returns output and exit status in ${name}`, async () => {
      const shell = await onPty(name, program);
      // Opening the port drops input that arrived before (serialport flushes on open), so the
      // first prompt may be gone: ask for a fresh one, as a person would.
      await shell.sendLine();
      await shell.expect('$ ');
      expect(await shell.run('echo hello; echo world')).toEqual({
        output: 'hello\nworld\n',
        status: 0,
      });
      expect(await shell.run('printf no-newline')).toEqual({ output: 'no-newline', status: 0 });
      expect(await shell.run('sh -c "exit 3"')).toEqual({ output: '', status: 3 });
      expect(await shell.run('false')).toEqual({ output: '', status: 1 });
      const long = await shell.run(`echo ${'x'.repeat(300)} | wc -c`);
      expect(long.output.trim()).toBe('301');
      for (let i = 0; i < 5; i++) expect((await shell.run(`echo ${i}`)).output).toBe(`${i}\n`);
    });
  }
});

// A tiny login program: prompts like getty/login, checks the password, then runs a shell.
const LOGIN = `while :; do printf "vm login: "; read u; [ -n "$u" ] && break; done
printf "Password: "; stty -echo; read p; stty echo; echo
if [ "$u:$p" = "root:secret" ]; then PS1="# " exec sh -i; else echo "Login incorrect"; sleep 5; fi`;

describe('login()', () => {
  it('logs in at a login prompt and reaches the shell', async () => {
    const shell = await onPty('login-ok', LOGIN);
    await shell.login({ user: 'root', password: 'secret' });
    expect((await shell.run('id -u')).status).toBe(0);
  });

  it('rejects a wrong password with LOGIN_FAILED', async () => {
    const shell = await onPty('login-bad', LOGIN);
    const error = await shell.login({ user: 'root', password: 'wrong' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error as LoginFailedError).message).toContain('Login incorrect');
  });
});
