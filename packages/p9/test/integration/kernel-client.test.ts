import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFs } from '../../src/fs/local.js';
import { createServer, type P9Server } from '../../src/server/server.js';
import { collectChecks, guestScript } from './guest-script.js';

// One guest for the whole file (about a minute on an idle machine; the generous timeouts are
// for loaded CI hosts): it mounts our server three times (cache=none, loose, mmap)
// through QEMU user networking and runs guest-script.ts, then powers off.
let dir: string;
let server: P9Server;
let guest: Guest | undefined;
let checks: Map<string, string>;
let output = '';
const versions: string[] = [];
const rand = randomBytes(3 * 1024 * 1024 + 12345);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p9-kernel-'));
  mkdirSync(join(dir, 'many'));
  for (let i = 0; i < 10000; i++) writeFileSync(join(dir, 'many', `entry-${i}`), '');
  writeFileSync(join(dir, 'rand.bin'), rand);
  // Issue 23: a set-uid file a non-root guest user writes to, and a host device node.
  writeFileSync(join(dir, 'suid'), 'x');
  chmodSync(join(dir, 'suid'), 0o4777);
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the guest's uid 1000 must reach suid
  execFileSync('mknod', ['-m', '0666', join(dir, 'hostnull'), 'c', '1', '3']);
  server = createServer({
    fs: new LocalFs(dir, { security: 'passthrough' }),
    trace: (line) => {
      if (line.includes('-> Rversion')) versions.push(line);
    },
  });
  const bound = await server.listen('tcp:127.0.0.1:0');
  if (bound.kind !== 'tcp') throw new Error('expected a TCP address');
  const initramfs = await buildInitramfs({
    modules: ['9p', '9pnet', '9pnet_fd', '9pnet_virtio', 'virtio_net'],
    executables: ['/usr/bin/perl', '/usr/bin/flock', '/usr/bin/socat'],
    init: guestScript(bound.port),
    after: 'poweroff',
  });
  guest = await bootGuest({ initramfs, network: true, memory: 512, timeout: 280_000 });
  ({ output, checks } = await collectChecks(guest));
}, 300_000);

afterAll(async () => {
  await guest?.stop();
  await server?.close();
  if (dir) execFileSync('rm', ['-rf', dir]);
});

function check(name: string): string | undefined {
  return checks.get(name);
}

describe('Linux kernel 9p client against our server (LocalFs)', () => {
  it('mounts with trans=tcp and trans=fd, version=9p2000.L, msize=1048576, three cache modes', () => {
    expect(check('mount-none'), output.slice(-3000)).toBe('yes');
    expect(check('mount-loose')).toBe('yes');
    expect(check('mount-mmap')).toBe('yes');
    expect(check('msize-opt')).toBe('4');
    expect(versions.length).toBe(4);
    for (const v of versions) expect(v).toContain('msize 1048576 version "9P2000.L"');
  });

  it('creates, reads, appends and truncates', () => {
    expect(check('read')).toBe('hello');
    expect(check('append')).toBe('hello+world+');
    expect(check('truncate')).toBe('hel');
    expect(readFileSync(join(dir, 'f1'), 'utf8')).toBe('hel');
  });

  it('renames across directories, hard links, symlinks, mkdir/rmdir', () => {
    expect(check('rename')).toBe('x-0');
    expect(check('hardlink')).toBe('2');
    expect(statSync(join(dir, 'd2', 'hard')).ino).toBe(statSync(join(dir, 'd2', 'y')).ino);
    expect(check('readlink')).toBe('../f1');
    expect(readlinkSync(join(dir, 'd2', 'sym'))).toBe('../f1');
    expect(check('symread')).toBe('hel');
    expect(check('rmdir')).toBe('absent');
    expect(existsSync(join(dir, 'gone'))).toBe(false);
  });

  it('chmod, chown and utimes reach the host file', () => {
    expect(check('chmod')).toBe('640-1234-5678');
    const st = statSync(join(dir, 'perm'));
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o640, 1234, 5678]);
    const expectedMtime = Math.floor(new Date(2001, 1, 3, 4, 5, 6).getTime() / 1000);
    expect(Number(check('utime'))).toBe(expectedMtime);
    expect(Math.floor(st.mtimeMs / 1000)).toBe(expectedMtime);
  });

  it('lists a directory of 10,000 entries', () => {
    expect(check('many')).toBe('10000');
    expect(check('many-last')).toBe('-');
  });

  it('fsync, statfs, open-unlink-fstat, deep trees', () => {
    expect(check('fsync')).toBe('sync');
    expect(check('statfs')).toBe('255');
    expect(check('ou-gone')).toBe('absent');
    expect(check('ou-fstat')).toBe('5');
    expect(check('ou-read')).toBe('keep');
    expect(check('deep')).toBe('45-deep');
    const found = execFileSync('find', [dir, '-name', 'leaf']).toString().trim();
    expect(found.length).toBeGreaterThan(4096);
  });

  it('moves data both ways intact in every cache mode, and executes (mmap) from the share', () => {
    expect(check('guest-write-md5')).toBe(md5(readFileSync(join(dir, 'gw'))));
    expect(lstatSync(join(dir, 'gw')).size).toBe(4 * 1024 * 1024);
    for (const mode of ['none', 'loose', 'mmap']) {
      expect(check(`rand-md5-${mode}`)).toBe(md5(rand));
      expect(check(`exec-${mode}`)).toBe('ran');
    }
    expect(check('loose-write')).toBe('loose');
    expect(check('mmap-write')).toBe('mm');
  });

  it('holds flock and fcntl locks across clients, with correct getlk conflicts', () => {
    expect(check('flock-other')).toBe('refused');
    expect(check('flock-after')).toBe('acquired');
    expect(check('fcntl-other')).toBe('refused');
    expect(check('fcntl-free-range')).toBe('acquired');
    // F_WRLCK (1) held on bytes 10..19 by the first perl process; Linux reports the pid of a
    // remote lock holder negated.
    expect(check('fcntl-getlk')).toBe(`1-10-10--${check('fcntl-holder')}`);
  });

  it('also works over trans=fd (a socket handed to mount by a helper)', () => {
    expect(check('mount-fd')).toBe('yes');
    expect(check('fd-write')).toBe('over-fd');
    expect(check('fd-read')).toBe('hel');
  });

  it('refuses device nodes and set-id bits (no opt-in), makes FIFOs and bound sockets', () => {
    expect(check('mknod-char')).toBe('refused');
    expect(check('mknod-block')).toBe('refused');
    expect(existsSync(join(dir, 'kmsg'))).toBe(false);
    expect(existsSync(join(dir, 'disk'))).toBe(false);
    expect(check('host-device')).toBe('character special file 1:3');
    expect(check('chmod-suid')).toBe('refused');
    expect(check('chmod-sgid')).toBe('refused');
    expect(check('mkdir-sgid')).toBe('refused');
    expect(statSync(join(dir, 'sx')).mode & 0o7777).toBe(0o644);
    expect(check('mkfifo')).toBe('fifo');
    expect(check('bind-socket')).toBe('socket');
    // (socat unlinks its socket when it exits, so only the FIFO is still on the host.)
    expect(lstatSync(join(dir, 'fifo1')).isFIFO()).toBe(true);
  });

  it('a write by a user other than root clears set-uid, as on a local filesystem', () => {
    expect(check('suid-before')).toBe('4777');
    expect(check('suid-writer')).toBe('1000');
    expect(check('suid-after')).toBe('777');
    expect(statSync(join(dir, 'suid')).mode & 0o7777).toBe(0o777);
    expect(readFileSync(join(dir, 'suid'), 'utf8')).toBe('xy');
  });

  it('unmounts cleanly and the server saw no protocol errors', () => {
    expect(check('umount')).toBe('yes');
    const stats = server.stats();
    expect(stats.protocolErrors).toBe(0);
    expect(stats.ops.Twalk?.count).toBeGreaterThan(10000);
  });
});
