import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { handleConformanceConnection } from './conformance-server.js';
import { once, PatternSource, readAll, writeAll } from './streams.js';

/**
 * One transport under test: it starts a server whose accepted streams go to `onConnection`
 * (with half-open connections allowed) and tells how to connect to it.
 */
export interface ConformanceTarget {
  name: string;
  listen(onConnection: (socket: Duplex) => void): Promise<ConformanceEndpoint>;
}

export interface ConformanceEndpoint {
  connect(): Promise<Duplex>;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  /** Bytes of the checksum transfers, each way (default 16 MiB). */
  largeBytes?: number;
  /** Bytes the slow-reader case sends (default 8 MiB). */
  slowBytes?: number;
  /** Simultaneous connections (default 200). */
  concurrent?: number;
}

export interface ConformanceCase {
  name: string;
  run(connect: () => Promise<Duplex>, options: Required<ConformanceOptions>): Promise<string>;
}

export interface ConformanceResult {
  target: string;
  name: string;
  ok: boolean;
  ms: number;
  /** What the case measured, or the error message. */
  detail: string;
}

async function request(connect: () => Promise<Duplex>, command: string): Promise<Duplex> {
  const socket = await connect();
  socket.write(`${command}\n`);
  return socket;
}

async function upload(
  socket: Duplex,
  pattern: PatternSource,
): Promise<{ sha256: string; pressured: number }> {
  const hash = createHash('sha256');
  const chunks = function* () {
    for (const chunk of pattern.chunks()) {
      hash.update(chunk);
      yield chunk;
    }
  };
  const pressured = await writeAll(socket, chunks());
  return { sha256: hash.digest('hex'), pressured };
}

export const conformanceCases: readonly ConformanceCase[] = [
  {
    name: 'echo',
    async run(connect) {
      const socket = await request(connect, 'echo');
      socket.end('hello over any transport');
      const reply = (await readAll(socket)).toString();
      assert.equal(reply, 'hello over any transport');
      return 'echoed 24 bytes';
    },
  },
  {
    name: 'half-close: the client ends, then still reads the answer',
    async run(connect) {
      const socket = await request(connect, 'sink');
      socket.end('half');
      const reply = (await readAll(socket)).toString();
      assert.equal(reply, `${createHash('sha256').update('half').digest('hex')} 4\n`);
      return 'answer after end()';
    },
  },
  {
    name: 'large transfer client -> server, checksum',
    async run(connect, { largeBytes }) {
      const socket = await request(connect, 'sink');
      const started = Date.now();
      const replyPromise = readAll(socket);
      const { sha256 } = await upload(socket, new PatternSource(largeBytes));
      const reply = (await replyPromise).toString();
      assert.equal(reply, `${sha256} ${largeBytes}\n`);
      return `${largeBytes} bytes, ${rate(largeBytes, started)}`;
    },
  },
  {
    name: 'large transfer server -> client, checksum',
    async run(connect, { largeBytes }) {
      const socket = await request(connect, `source ${largeBytes}`);
      socket.end();
      const started = Date.now();
      const hash = createHash('sha256');
      let bytes = 0;
      let trailer = '';
      for await (const chunk of socket) {
        const buffer = chunk as Buffer;
        const data = buffer.subarray(0, Math.max(0, Math.min(buffer.length, largeBytes - bytes)));
        hash.update(data);
        bytes += data.length;
        trailer += buffer.subarray(data.length).toString();
      }
      assert.equal(bytes, largeBytes);
      assert.equal(trailer, hash.digest('hex'));
      return `${largeBytes} bytes, ${rate(largeBytes, started)}`;
    },
  },
  {
    name: 'backpressure: a slow reader',
    async run(connect, { slowBytes }) {
      const socket = await request(connect, 'slow 400');
      const replyPromise = readAll(socket);
      const { sha256, pressured } = await upload(socket, new PatternSource(slowBytes, 64 * 1024));
      const [hash, bytes, maxBuffered] = (await replyPromise).toString().trim().split(' ');
      assert.equal(hash, sha256);
      assert.equal(Number(bytes), slowBytes);
      assert.ok(pressured > 0, 'write() never returned false while the reader was paused');
      // A paused reader must stop the reads: what sits in the stream stays near one buffer.
      assert.ok(
        Number(maxBuffered) <= 1024 * 1024,
        `the paused reader buffered ${maxBuffered} bytes`,
      );
      return `write() said wait ${pressured} times; paused reader buffered at most ${maxBuffered} bytes`;
    },
  },
  {
    name: 'concurrent connections',
    async run(connect, { concurrent }) {
      const sockets = await Promise.all(
        Array.from({ length: concurrent }, () => request(connect, 'echo')),
      );
      const replies = await Promise.all(
        sockets.map((socket, i) => {
          socket.end(`connection ${i}`);
          return readAll(socket);
        }),
      );
      for (const [i, reply] of replies.entries()) assert.equal(reply.toString(), `connection ${i}`);
      return `${concurrent} connections open at once, each echoed`;
    },
  },
  {
    name: 'destroy: the server sees the connection close',
    async run(connect) {
      const socket = await request(connect, 'echo');
      socket.write('x');
      await once(socket, 'data');
      socket.destroy();
      await once(socket, 'close');
      assert.ok(socket.destroyed);
      return 'closed';
    },
  },
];

function rate(bytes: number, started: number): string {
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  return `${(bytes / 1048576 / seconds).toFixed(1)} MiB/s`;
}

/** Runs every case against one target (one server for all); never throws, reports each case. */
export async function runConformance(
  target: ConformanceTarget,
  options: ConformanceOptions = {},
): Promise<ConformanceResult[]> {
  const resolved: Required<ConformanceOptions> = {
    largeBytes: options.largeBytes ?? 16 * 1024 * 1024,
    slowBytes: options.slowBytes ?? 8 * 1024 * 1024,
    concurrent: options.concurrent ?? 200,
  };
  const endpoint = await target.listen((socket) => {
    handleConformanceConnection(socket).catch(() => socket.destroy());
  });
  const results: ConformanceResult[] = [];
  try {
    for (const testCase of conformanceCases) {
      const started = Date.now();
      try {
        const detail = await testCase.run(() => endpoint.connect(), resolved);
        results.push({
          target: target.name,
          name: testCase.name,
          ok: true,
          ms: Date.now() - started,
          detail,
        });
      } catch (error) {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        results.push({
          target: target.name,
          name: testCase.name,
          ok: false,
          ms: Date.now() - started,
          detail,
        });
      }
    }
  } finally {
    await endpoint.close();
  }
  return results;
}
