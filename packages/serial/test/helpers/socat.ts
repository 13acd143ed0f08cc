import { type ChildProcess, spawn } from 'node:child_process';

/** A running socat with the pty paths it announced (`-d -d` prints `PTY is /dev/pts/N`). */
export interface Socat {
  process: ChildProcess;
  ptys: string[];
  stop(): Promise<void>;
}

/** Starts socat with `args` after `-d -d`, waiting until it announced `ptyCount` ptys. */
export function startSocat(args: string[], ptyCount: number): Promise<Socat> {
  const child = spawn('socat', ['-d', '-d', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ptys: string[] = [];
  let stderr = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`socat could not be started (apt-get install socat): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${stderr}`)));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of chunk.matchAll(/PTY is (\S+)/g)) ptys.push(match[1] ?? '');
      if (ptys.length >= ptyCount && /starting data transfer loop/.test(stderr))
        resolve({ process: child, ptys, stop });
    });
  });
}
