import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { P9Client } from '../../../src/client/p9-client.js';
import { RemoteError } from '../../../src/errors.js';
import { OpenFlags } from '../../../src/protocol/constants.js';
import { decodeDirents } from '../../../src/protocol/dirent.js';

/** What a race run saw: escapes must be 0, inside results prove the race was exercised. */
export interface RaceResult {
  rounds: number;
  insideReads: number;
  listed: number;
  /** Reads that returned the outside secret, listings that showed outside names. */
  escapes: number;
  /** Names that appeared outside the export (writes or mkdirs that escaped). */
  outsideChanges: string[];
}

function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

/**
 * A host process swaps `exportDir/swap` (holding `inner` = INSIDE) for symlinks to `outside`
 * (holding `secret` = SECRET), absolute and relative, in a loop, while the client reads,
 * lists, writes and mkdirs through `swap` for `seconds`. Every failure must be a protocol
 * error (ENOENT, ENOTDIR, ELOOP...); nothing may come from or land outside.
 */
export async function swapRace(
  client: P9Client,
  exportDir: string,
  outside: string,
  seconds: number,
): Promise<RaceResult> {
  const before = snapshot(outside);
  const swapper: ChildProcess = spawn('sh', [
    '-c',
    `cd '${exportDir}' && while :; do mv swap swap.real; ln -s '${outside}' swap; rm swap; ln -s ../outside swap; rm swap; mv swap.real swap; done`,
  ]);
  const result: RaceResult = {
    rounds: 0,
    insideReads: 0,
    listed: 0,
    escapes: 0,
    outsideChanges: [],
  };
  const unexpected: unknown[] = [];
  try {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const i = ++result.rounds;
      const attempts = [
        client.readFile('swap/inner').then((b) => {
          if (b.toString() === 'INSIDE') result.insideReads++;
          else result.escapes++;
        }),
        client.readFile('swap/secret').then((b) => {
          if (b.toString() === 'SECRET') result.escapes++;
        }),
        client.readdir('swap').then((entries) => {
          const names = entries.map((e) => e.name);
          if (names.includes('secret') || names.includes('dir')) result.escapes++;
          result.listed++;
        }),
        client.writeFile(`swap/planted-${i}`, 'x'),
        client.mkdir(`swap/dir-${i}`),
        (async () => {
          // A fid held on the directory keeps pointing at it even when the path is a symlink.
          const fid = await client.walk('swap');
          try {
            await client.open(fid, OpenFlags.RDONLY | OpenFlags.DIRECTORY);
            const r = await client.conn.rpc({ type: 'Treaddir', fid, offset: 0n, count: 8192 });
            if (decodeDirents(r.data).some((e) => e.name === 'secret')) result.escapes++;
          } finally {
            await client.clunk(fid);
          }
        })(),
      ];
      for (const r of await Promise.allSettled(attempts)) {
        if (r.status === 'rejected' && !(r.reason instanceof RemoteError))
          unexpected.push(r.reason);
      }
    }
  } finally {
    await new Promise((resolve) => {
      swapper.once('exit', resolve);
      swapper.kill('SIGKILL');
    });
    // Let a last mv/ln started by the loop finish before the caller looks or cleans up.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (unexpected.length > 0) throw unexpected[0];
  const after = snapshot(outside);
  result.outsideChanges = after.filter((n) => !before.includes(n));
  return result;
}
