import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpConnectionClosedError, QmpProtocolError, QmpTimeoutError } from '../errors.js';
import type { DecodedLine, QmpDecoder } from '../protocol/decoder.js';
import type { QmpGreeting } from '../protocol/messages.js';
import { connectSocket, type QmpAddress } from '../transport/connect.js';
import type { QmpConnectOptions } from './options.js';

/**
 * Connects and runs the handshake (`open`, the client's `fromStream`). With `options.retry`, a
 * missing or refusing socket (QEMU still starting) and a busy one (accepted but never greeted)
 * are retried with backoff.
 */
export async function connectWithRetry<Session>(
  address: QmpAddress,
  options: QmpConnectOptions,
  open: (stream: Duplex, options: QmpConnectOptions) => Promise<Session>,
): Promise<Session> {
  const { retry } = options;
  const deadline = retry ? Date.now() + retry.timeout : 0;
  let delay = retry?.interval ?? 20;
  for (;;) {
    const remaining = Math.max(1, deadline - Date.now());
    const socket = await connectSocket(address, retry && { ...retry, timeout: remaining });
    const greetingTimeout = Math.min(
      options.greetingTimeout ?? 10_000,
      retry ? Math.max(1, deadline - Date.now()) : Number.POSITIVE_INFINITY,
    );
    try {
      return await open(socket, { ...options, greetingTimeout });
    } catch (err) {
      socket.destroy();
      // QEMU serves one client per socket: a connection it accepted but does not greet (or
      // drops) means someone else holds the monitor. With `retry`, wait and try again.
      const busy =
        (err instanceof QmpTimeoutError && err.what === 'waiting for the QMP greeting') ||
        (err instanceof QmpConnectionClosedError && err.command === undefined);
      if (!retry || !busy || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, retry.maxInterval ?? 500);
    }
  }
}

/** Reads the first message, which must be the greeting; anything else is a protocol error. */
export function readGreeting(
  stream: Duplex,
  decoder: QmpDecoder,
  timeoutMs: number,
): Promise<{ greeting: QmpGreeting; rest: DecodedLine[] }> {
  return new Promise((resolve, reject) => {
    let rest: DecodedLine[] = [];
    const finish = (err: Error | undefined, greeting?: QmpGreeting) => {
      clearTimeout(timer);
      // Paused until the client attaches its own listeners, so no byte is lost in between.
      stream.pause();
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('close', onClose);
      stream.off('end', onClose);
      if (err) {
        stream.destroy();
        reject(err);
      } else resolve({ greeting: greeting as QmpGreeting, rest });
    };
    const onData = (chunk: Buffer) => {
      const [first, ...others] = decoder.push(chunk);
      if (!first) return;
      rest = others;
      if (!first.ok) return finish(first.error);
      if (first.message.kind !== 'greeting') {
        return finish(
          new QmpProtocolError(`expected the QMP greeting, got a ${first.message.kind}`),
        );
      }
      finish(undefined, first.message.greeting);
    };
    const onError = (err: Error) =>
      finish(
        new QmpConnectionClosedError(undefined, `before the greeting: ${err.message}`, {
          cause: err,
        }),
      );
    const onClose = () =>
      finish(
        new QmpConnectionClosedError(undefined, 'peer closed the connection before the greeting'),
      );
    const timer = setTimeout(
      () => finish(new QmpTimeoutError('waiting for the QMP greeting', timeoutMs)),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('close', onClose);
    stream.once('end', onClose);
  });
}
