import { MethodError } from '../../errors.js';
import type { ParsedParams } from '../../protocol/methods.js';

/** Where a 9P share comes from: a TCP server, a virtio-9p tag, or a vsock server. */
export type MountSource =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tag'; tag: string }
  | { kind: 'vsock'; cid: number; port: number };

/** The largest CID and port a connect may name: 0xffffffff is VMADDR_CID_ANY / PORT_ANY. */
const MAX_VSOCK = 0xffff_fffe;
const MSIZE = 262144;

function integer(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function bad(source: string, part: string): MethodError {
  return new MethodError('SCHEMA', `mount source ${JSON.stringify(source)}: ${part}`);
}

/** Parses `tcp:HOST:PORT`, `vsock:CID:PORT` or a 9p tag; a SCHEMA error names the bad part. */
export function parseMountSource(source: string): MountSource {
  const [scheme, ...rest] = source.split(':');
  if (scheme === 'vsock') {
    const [cidText, portText] = rest;
    if (rest.length !== 2) throw bad(source, 'expected vsock:CID:PORT');
    const cid = integer(cidText, 0, MAX_VSOCK);
    if (cid === undefined)
      throw bad(source, `CID ${JSON.stringify(cidText)} must be an integer from 0 to ${MAX_VSOCK}`);
    const port = integer(portText, 0, MAX_VSOCK);
    if (port === undefined) {
      throw bad(
        source,
        `port ${JSON.stringify(portText)} must be an integer from 0 to ${MAX_VSOCK}`,
      );
    }
    return { kind: 'vsock', cid, port };
  }
  if (scheme === 'tcp') {
    const [host, portText] = rest;
    if (rest.length !== 2 || !host) throw bad(source, 'expected tcp:HOST:PORT');
    const port = integer(portText, 1, 65535);
    if (port === undefined)
      throw bad(source, `port ${JSON.stringify(portText)} must be an integer from 1 to 65535`);
    return { kind: 'tcp', host, port };
  }
  if (/^[A-Za-z0-9_.-]{1,31}$/.test(source)) return { kind: 'tag', tag: source };
  throw bad(source, 'expected tcp:HOST:PORT, vsock:CID:PORT or a 9p tag (at most 31 characters)');
}

export interface NinePMount {
  source: MountSource;
  /** `mount` arguments; for vsock the connection is the child's fd 3 (trans=fd). */
  args: string[];
  /** The /etc/fstab line, or null when the mount cannot be one (vsock: the fd is the agent's). */
  fstabLine: string | null;
  /** Whether mountShare appends fstabLine: `fstab`, by default true unless the source is vsock. */
  writeFstab: boolean;
}

/** `mount` arguments and the fstab line for a 9P share (pure: no I/O). */
export function ninePMount(params: ParsedParams<'mount'>): NinePMount {
  const source = parseMountSource(params.source);
  const options = ['version=9p2000.L', `msize=${MSIZE}`];
  let device: string;
  if (source.kind === 'tcp') {
    device = source.host;
    options.unshift('trans=tcp', `port=${source.port}`);
  } else if (source.kind === 'tag') {
    device = source.tag;
    options.unshift('trans=virtio');
  } else {
    // The device name is free text for 9p; the source keeps /proc/mounts readable.
    device = `vsock:${source.cid}:${source.port}`;
    options.unshift('trans=fd', 'rfdno=3', 'wfdno=3');
  }
  if (params.aname !== undefined) {
    // mount(8) splits -o at commas: a comma in aname would add options of the caller's choice.
    if (params.aname.includes(',')) {
      throw new MethodError('SCHEMA', `mount aname ${JSON.stringify(params.aname)}: no commas`);
    }
    options.push(`aname=${params.aname}`);
  }
  const joined = options.join(',');
  const args = ['-t', '9p', '-o', joined, device, params.mountPoint];
  if (source.kind === 'vsock') {
    // The connection exists only in this agent (a file descriptor it hands to mount): no line
    // in /etc/fstab could make it again at boot, so asking for one is an error, not a no-op.
    if (params.fstab === true) {
      throw bad(
        params.source,
        'fstab: true is impossible for vsock (trans=fd uses a connection the agent makes; ' +
          'mount it again after boot instead)',
      );
    }
    return { source, args, fstabLine: null, writeFstab: false };
  }
  return {
    source,
    args,
    fstabLine: `${device}\t${params.mountPoint}\t9p\t${joined},nofail\t0\t0`,
    writeFstab: params.fstab ?? true,
  };
}
