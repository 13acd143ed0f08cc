import type { Duplex } from 'node:stream';
import { duplexPair } from '@multiverse-os/vsock/testing';
import { LineSplitter } from '../../src/protocol/line-splitter.js';

export const GREETING = {
  QMP: {
    version: { qemu: { major: 7, minor: 2, micro: 0 }, package: 'fake' },
    capabilities: ['oob'],
  },
};

export type FakeHandler = (
  command: { execute?: string; 'exec-oob'?: string; arguments?: unknown; id?: unknown },
  send: (message: unknown) => void,
  sendRaw: (text: string) => void,
) => void;

/**
 * A scripted QMP peer for edge cases only (the real behaviour is tested against QEMU).
 * Returns the client end of the pair and the server end for extra control.
 */
export function fakeServer(
  handler: FakeHandler,
  options: { greeting?: unknown; raw?: string } = {},
): {
  client: Duplex;
  server: Duplex;
  received: unknown[];
  receivedLines: string[];
  sendRaw: (text: string) => void;
} {
  const [client, server] = duplexPair();
  const received: unknown[] = [];
  const receivedLines: string[] = [];
  const lines = new LineSplitter();
  const sendRaw = (text: string) => server.write(text);
  const send = (message: unknown) => sendRaw(`${JSON.stringify(message)}\r\n`);
  server.on('data', (chunk: Buffer) => {
    for (const line of lines.push(chunk)) {
      receivedLines.push(line);
      const command = JSON.parse(line);
      received.push(command);
      if (command.execute === 'qmp_capabilities') send({ return: {}, id: command.id });
      else handler(command, send, sendRaw);
    }
  });
  if (options.raw !== undefined) sendRaw(options.raw);
  else send(options.greeting ?? GREETING);
  return { client, server, received, receivedLines, sendRaw };
}
