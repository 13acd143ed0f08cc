#!/usr/bin/env node
import { resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { formatAddress } from './address.js';
import { P9Error } from './errors.js';
import { LocalFs } from './fs/local.js';
import type { SecurityModel } from './fs/local-attr.js';
import { importMetadataFile } from './fs/local-import.js';
import { MemFs } from './fs/memory.js';
import { createServer } from './server/server.js';

const usage = `Usage: mv-p9 serve <dir> --listen tcp:HOST:PORT|unix:PATH [options]
       mv-p9 import-metadata <dir> <file>

Serves <dir> over 9P2000.L (mount it from Linux with
  mount -t 9p -o trans=tcp,port=PORT,version=9p2000.L,msize=1048576 HOST /mnt).

import-metadata moves an old mapped JSON side file (--metadata, before 0.2) into the
files' user.virtfs.* xattrs, once, with no server running on <dir>.

Options:
  --listen ADDR        tcp:127.0.0.1:5640 or unix:/run/p9.sock (repeatable)
  --stdio              serve one client on stdin/stdout (for ssh, socat EXEC, trans=fd helpers)
  --readonly           refuse every change with EROFS
  --mem                serve an empty in-memory tree instead of <dir>
  --security MODEL     passthrough | mapped | squash (default: passthrough as root, else squash)
  --allow-devices      let clients make and open device nodes (not with squash)
  --allow-setid        let clients set set-user-ID/set-group-ID bits (not with squash)
  --trace              print every request and reply
  --stats              print per-operation counters on exit
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      listen: { type: 'string', multiple: true },
      stdio: { type: 'boolean' },
      readonly: { type: 'boolean' },
      mem: { type: 'boolean' },
      security: { type: 'string' },
      'allow-devices': { type: 'boolean' },
      'allow-setid': { type: 'boolean' },
      trace: { type: 'boolean' },
      stats: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, dir, file] = positionals;
  if (command === 'import-metadata' && !values.help) {
    if (!dir || !file) throw new P9Error('INVALID_OPTION', 'import-metadata needs <dir> <file>');
    const done = importMetadataFile(resolve(dir), resolve(file));
    process.stdout.write(`${JSON.stringify(done)}\n`);
    return 0;
  }
  if (values.help || command !== 'serve') {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  if (!values.listen?.length && !values.stdio) {
    throw new P9Error('INVALID_OPTION', '--listen (or --stdio) is required');
  }
  let fs: LocalFs | MemFs;
  if (values.mem) fs = new MemFs();
  else {
    if (!dir) throw new P9Error('INVALID_OPTION', 'serve needs a directory (or --mem)');
    const local = new LocalFs(resolve(dir), {
      security: values.security as SecurityModel | undefined,
      allowDevices: values['allow-devices'],
      allowSetid: values['allow-setid'],
    });
    await local.check();
    fs = local;
  }
  const server = createServer({
    fs,
    readonly: values.readonly ?? false,
    trace: values.trace ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  if (values.stdio) {
    // One session over our own stdin/stdout; exit when the peer closes it.
    process.stderr.write(`mv-p9: serving ${values.mem ? 'memory' : dir} on stdio\n`);
    await server.handle(Duplex.from({ readable: process.stdin, writable: process.stdout }));
    return 0;
  }
  for (const address of values.listen ?? []) {
    const bound = await server.listen(address);
    process.stderr.write(
      `mv-p9: serving ${values.mem ? 'memory' : dir} on ${formatAddress(bound)}\n`,
    );
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  if (values.stats) process.stderr.write(`${JSON.stringify(server.stats(), null, 2)}\n`);
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mv-p9: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof P9Error ? 2 : 1);
  },
);
