import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { PatternSource, readLine, sleep, writeAll } from './streams.js';

/**
 * The server half of the conformance suite. Each connection starts with one command line:
 *   `echo`                 everything back, then end when the client ends;
 *   `sink`                 hash everything until the client ends, answer `<sha256> <bytes>\n`;
 *   `source <bytes>`       send <bytes> of pattern data, then its 64-hex sha256, then end;
 *   `slow <ms>`            like sink, but stop reading for <ms> after the first chunk and add
 *                          the most bytes the stream buffered meanwhile: `<sha256> <bytes> <max>\n`.
 * The server's sockets must allow half-open connections (the client ends first).
 */
export async function handleConformanceConnection(socket: Duplex): Promise<void> {
  socket.on('error', () => undefined);
  const line = await readLine(socket);
  const [command, arg] = line.split(' ');
  switch (command) {
    case 'echo':
      socket.pipe(socket);
      socket.resume();
      return;
    case 'sink':
      return sink(socket, 0);
    case 'slow':
      return sink(socket, Number(arg));
    case 'source': {
      const pattern = new PatternSource(Number(arg));
      const hash = createHash('sha256');
      const chunks = function* () {
        for (const chunk of pattern.chunks()) {
          hash.update(chunk);
          yield chunk;
        }
      };
      await writeAll(socket, chunks(), false);
      socket.end(hash.digest('hex'));
      return;
    }
    default:
      socket.end(`unknown command ${JSON.stringify(line)}\n`);
  }
}

async function sink(socket: Duplex, pauseMs: number): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  let maxBuffered = 0;
  let paused = pauseMs === 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (!paused) {
        paused = true;
        socket.pause();
        const watch = setInterval(() => {
          maxBuffered = Math.max(maxBuffered, socket.readableLength);
        }, 5);
        void sleep(pauseMs).then(() => {
          clearInterval(watch);
          maxBuffered = Math.max(maxBuffered, socket.readableLength);
          socket.resume();
        });
      }
    });
    socket.once('end', resolve);
    socket.once('error', reject);
    socket.resume();
  });
  socket.end(`${hash.digest('hex')} ${bytes}${pauseMs > 0 ? ` ${maxBuffered}` : ''}\n`);
}
