import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { createServer, type P9Server } from '../../src/server/server.js';
import { swapRace } from './support/swap-race.js';

// The short run of the swap race (the integration tier runs it for 60 s, escape.test.ts).
let base: string;
let server: P9Server;
let client: P9Client;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'p9-race-'));
  mkdirSync(join(base, 'export', 'swap'), { recursive: true });
  mkdirSync(join(base, 'outside', 'dir'), { recursive: true });
  writeFileSync(join(base, 'outside', 'secret'), 'SECRET');
  writeFileSync(join(base, 'export', 'swap', 'inner'), 'INSIDE');
  server = createServer({ fs: new LocalFs(join(base, 'export')) });
  const a = await server.listen('tcp:127.0.0.1:0');
  client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('a host process swapping a directory for symlinks to the outside', () => {
  it('never lets a read, listing, write or mkdir through to the outside (3 s)', async () => {
    const r = await swapRace(client, join(base, 'export'), join(base, 'outside'), 3);
    expect(r.escapes).toBe(0);
    expect(r.outsideChanges).toEqual([]);
    expect(r.insideReads + r.listed).toBeGreaterThan(0);
  }, 30_000);
});
