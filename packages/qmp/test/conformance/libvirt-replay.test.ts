import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duplexPair } from '@multiverse-os/vsock/testing';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../../../../scripts/shared-corpus.mjs';
import { QmpClient } from '../../src/client/client.js';
import { LiveSchema } from '../../src/client/live-schema.js';
import { QmpCommandError } from '../../src/errors.js';
import { parseJson } from '../../src/protocol/json.js';
import { LineSplitter } from '../../src/protocol/line-splitter.js';

const repliesDir = requireShared('libvirt-9.0/qmp-replies', "libvirt 9.0's recorded QMP sessions");

interface Exchange {
  command: { execute: string; arguments?: Record<string, unknown> };
  replyLine: string;
}

/** libvirt's .replies files: pretty-printed commands and replies separated by blank lines. */
function readSession(file: string): Exchange[] {
  const blocks = readFileSync(file, 'utf8')
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  const out: Exchange[] = [];
  for (let i = 0; i + 1 < blocks.length; i += 2) {
    const command = JSON.parse(blocks[i] as string);
    if (typeof command.execute !== 'string')
      throw new Error(`${file}: block ${i} is not a command`);
    // Newlines in pretty-printed JSON only ever sit between tokens, so this compacts losslessly
    // without going through the encoder under test.
    out.push({ command, replyLine: (blocks[i + 1] as string).replace(/\n\s*/g, '') });
  }
  return out;
}

/** A peer that answers the n-th command with the n-th recorded reply, under the client's id. */
function replayServer(session: Exchange[]) {
  const [client, server] = duplexPair();
  const lines = new LineSplitter();
  let next = 0;
  const mismatches: string[] = [];
  server.on('data', (chunk: Buffer) => {
    for (const line of lines.push(chunk)) {
      const cmd = JSON.parse(line);
      const recorded = session[next++];
      if (!recorded) throw new Error('client sent more commands than recorded');
      if (cmd.execute !== recorded.command.execute) {
        mismatches.push(`${cmd.execute} != ${recorded.command.execute}`);
      }
      const reply = recorded.replyLine.replace(
        /"id":\s*"libvirt-\d+"/,
        `"id":${JSON.stringify(cmd.id)}`,
      );
      server.write(`${reply}\n`);
    }
  });
  server.write(
    '{"QMP":{"version":{"qemu":{"major":7,"minor":2,"micro":0},"package":""},"capabilities":["oob"]}}\n',
  );
  return { client, mismatches };
}

describe('replay of libvirt 9.0 recorded QMP sessions', () => {
  for (const name of readdirSync(repliesDir).filter((f) => f.endsWith('.replies'))) {
    it(`decodes every reply of ${name}`, async () => {
      const session = readSession(join(repliesDir, name));
      expect(session[0]?.command.execute).toBe('qmp_capabilities');
      const { client, mismatches } = replayServer(session);
      const qmp = await QmpClient.fromStream(client, { oob: false });
      let decoded = 0;
      let errors = 0;
      for (const { command, replyLine } of session.slice(1)) {
        const recorded = parseJson(replyLine) as { return?: unknown; error?: { class: string } };
        const untyped: string = command.execute;
        try {
          const value = await qmp.execute(untyped, command.arguments);
          expect(value).toEqual(recorded.return);
          if (command.execute === 'query-qmp-schema') {
            expect(new LiveSchema(value).hasCommand('query-status')).toBe(true);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(QmpCommandError);
          expect((err as QmpCommandError).errorClass).toBe(recorded.error?.class);
          errors++;
        }
        decoded++;
      }
      expect(mismatches).toEqual([]);
      expect(decoded).toBe(session.length - 1);
      expect(decoded).toBeGreaterThan(50);
      expect(errors).toBeLessThan(decoded);
      await qmp.close();
    });
  }
});
