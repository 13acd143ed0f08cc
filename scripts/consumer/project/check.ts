// Type-checked against the published declarations, copied into the consumer project as
// check.mts (ESM, node16), check.cts (CommonJS, node16: the .d.cts files) and check.ts
// (bundler). The @ts-expect-error lines prove the types are real, not `any`.
import {
  type LintIssue,
  lintFormulas,
  resolveFormulaFile,
  resolveFormulaFileWithSources,
  scaffoldFormula,
  toQemuArgs,
  validateFormulaText,
} from '@multiverse-os/formula';
import { Dir, type FsatSystemError, type Stat } from '@multiverse-os/fsat';
import { type CpioEntry, cpioArchive } from '@multiverse-os/image';
import { Libvirt, LibvirtError, parseLibvirtUri } from '@multiverse-os/libvirt';
import { domain, parseDomain } from '@multiverse-os/libvirt-xml';
import { connect as connect9p, createServer, LocalFs, type P9Client } from '@multiverse-os/p9';
import { QmpClient } from '@multiverse-os/qmp';
import type { QemuMachine } from '@multiverse-os/qmp/machine';
import { Console, openSerialPort } from '@multiverse-os/serial';
import { connectAsync, localCid, VsockError } from '@multiverse-os/vsock';
import { parseAddress } from '@multiverse-os/vsock/address';

export function formulaName(text: string): string | undefined {
  const result = validateFormulaText(text);
  return result.ok ? result.document.name : undefined;
}

export function qemuBinary(file: string): string {
  return toQemuArgs(resolveFormulaFile(file), { runDir: '/run/mv/x', accelerator: 'tcg' }).binary;
}

export function lintCodes(file: string): LintIssue['code'][] {
  const { formula, sources } = resolveFormulaFileWithSources(file);
  return lintFormulas([formula], { sources, networks: ['star0'] }).map((issue) => issue.code);
}
export const scaffold: string = scaffoldFormula('application/browser/brave', 'brave', {
  schema: './formula.schema.json',
});
// @ts-expect-error: lint codes are a closed set
export const notACode: LintIssue['code'] = 'no-such-code';

export const entries: CpioEntry[] = [{ type: 'directory', path: 'etc' }];
export const archive: AsyncIterable<Buffer> = cpioArchive(entries);

export const xml: string = domain({ name: 'typed', memory: '64 MiB', vcpus: 1 }).toXml();
export const reparsed: string = parseDomain(xml).toXml();
// @ts-expect-error: toXml() returns a string
export const notANumber: number = parseDomain(xml).toXml();

export async function readOver9p(folder: string, socket: string): Promise<string> {
  const server = createServer({ fs: new LocalFs(folder) });
  await server.listen(`unix:${socket}`);
  const client: P9Client = await connect9p(`unix:${socket}`);
  const text = (await client.readFile('a.txt')).toString();
  client.close();
  await server.close();
  return text;
}

export async function qemuMajor(path: string): Promise<number> {
  const client = await QmpClient.connect({ path });
  const version = await client.execute('query-version');
  // @ts-expect-error: the QEMU major version is a number (or a bigint), not a string
  const wrong: string = version.qemu.major;
  await client.close();
  return Number(version.qemu.major) + wrong.length;
}

export type Launch = typeof QemuMachine.launch;

export async function sendOverSerial(path: string): Promise<void> {
  const tty = new Console(await openSerialPort(path, { baudRate: 115200 }));
  await tty.sendLine('hello');
  tty.close();
}

export async function vsockErrorCode(): Promise<string | undefined> {
  try {
    await connectAsync({ cid: 1, port: 1, timeout: 100 });
  } catch (error) {
    if (error instanceof VsockError) return error.code;
  }
  return undefined;
}

export const cid: () => number = localCid;
export const kind: 'vsock' | 'hybrid' | 'unix' | 'tcp' = parseAddress('vsock:1:2').kind;

export function statBeneath(root: string, path: string): Stat {
  const dir = Dir.open(root);
  try {
    return dir.stat(path);
  } finally {
    dir.close();
  }
}
export type FsatCode = FsatSystemError['code'];
// @ts-expect-error: a Stat's inode number is a bigint
export const inode: number = statBeneath('/', 'etc').ino;

export async function libvirtHostname(uri: string): Promise<string> {
  const connection = await Libvirt.connect(uri);
  return connection.getHostname();
}
export const driver: string = parseLibvirtUri('qemu:///system').driver;
export const isLibvirtError = (error: unknown): boolean => error instanceof LibvirtError;
