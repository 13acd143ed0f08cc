import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Console, connectUnix, listenUnix, openSerialPort } from '../src/index.js';

/** MB/s of moving `data` from `writer` into a Console over `reader`. */
export async function consoleThroughput(writer: Duplex, reader: Duplex, data: Buffer) {
  const console = new Console(reader);
  const started = process.hrtime.bigint();
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if (console.bytesReceived >= data.length) {
        console.off('data', check);
        resolve();
      }
    };
    console.on('data', check);
  });
  for (let offset = 0; offset < data.length; offset += 64 * 1024) {
    if (!writer.write(data.subarray(offset, offset + 64 * 1024)))
      await new Promise((resolve) => writer.once('drain', resolve));
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return data.length / 1e6 / seconds;
}

/** Runs socat processes; the clock stops when `reader` exits (after `readbytes` bytes). */
export async function socatThroughput(
  bytes: number,
  readerArgs: string[],
  writerArgs: string[],
  beforeWriter: () => Promise<void> = async () => {},
) {
  const started = process.hrtime.bigint();
  const reader = spawn('socat', readerArgs, { stdio: 'inherit' });
  const readerDone = new Promise<number | null>((resolve) => reader.once('exit', resolve));
  await beforeWriter();
  const writer = spawn('socat', writerArgs, { stdio: 'inherit' });
  const code = await readerDone;
  writer.kill();
  if (code !== 0) throw new Error(`socat reader exited with ${code}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes / 1e6 / seconds;
}

/** A `socat pty,raw,echo=0 pty,raw,echo=0` pair; resolves with the two pty paths. */
export function ptyPair(): Promise<{ a: string; b: string; stop: () => void }> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      text += chunk;
      const ptys = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1] ?? '');
      if (ptys.length === 2 && text.includes('starting data transfer loop'))
        resolve({ a: ptys[0] ?? '', b: ptys[1] ?? '', stop: () => child.kill() });
    });
  });
}

/**
 * The same socat writer feeds pty A in both runs; what is compared is the reading end on pty B:
 * a Console over our serial endpoint against a socat reader. (Writing from this process too
 * would put both ends on one thread while socat gets a process per end.)
 */
export async function ptyBench(data: Buffer) {
  const dataFile = join(tmpdir(), `mv-serial-bench-${process.pid}.bin`);
  writeFileSync(dataFile, data);
  const writerArgs = (pty: string) => ['-u', `OPEN:${dataFile}`, `OPEN:${pty},rawer`];
  try {
    const pair = await ptyPair();
    const reader = await openSerialPort(pair.b);
    const console = new Console(reader);
    const started = process.hrtime.bigint();
    const received = new Promise<void>((resolve) => {
      const check = () => {
        if (console.bytesReceived >= data.length) resolve();
      };
      console.on('data', check);
    });
    const writer = spawn('socat', writerArgs(pair.a), { stdio: 'inherit' });
    await received;
    const ours = data.length / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
    writer.kill();
    reader.destroy();
    pair.stop();
    const pair2 = await ptyPair();
    const socat = await socatThroughput(
      data.length,
      ['-u', `OPEN:${pair2.b},rawer,readbytes=${data.length}`, 'OPEN:/dev/null'],
      writerArgs(pair2.a),
    );
    pair2.stop();
    return { ours, socat };
  } finally {
    rmSync(dataFile, { force: true });
  }
}

export async function unixBench(data: Buffer) {
  const dir = tmpdir();
  const dataFile = join(dir, `mv-serial-bench-${process.pid}.bin`);
  const path = join(dir, `mv-serial-bench-${process.pid}.sock`);
  writeFileSync(dataFile, data);
  try {
    const listener = await listenUnix(path);
    const [writer, reader] = await Promise.all([connectUnix(path), listener.accept()]);
    await listener.close();
    const ours = await consoleThroughput(writer, reader, data);
    writer.destroy();
    reader.destroy();
    rmSync(path, { force: true });
    const socat = await socatThroughput(
      data.length,
      ['-u', `UNIX-LISTEN:${path},readbytes=${data.length}`, 'OPEN:/dev/null'],
      ['-u', `OPEN:${dataFile}`, `UNIX-CONNECT:${path}`],
      () => waitForSocket(path),
    );
    return { ours, socat };
  } finally {
    rmSync(dataFile, { force: true });
    rmSync(path, { force: true });
  }
}

/** socat's listener takes exactly one connection: wait for its socket file, do not probe it. */
async function waitForSocket(path: string) {
  for (let i = 0; i < 500 && !existsSync(path); i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
}
