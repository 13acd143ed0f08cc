import { LibvirtArgumentError } from '../errors.js';

/**
 * A libvirt connection URI as users write them: `driver[+transport]://[user@][host][:port]/path[?query]`
 * (`qemu:///system`, `qemu:///session`, `qemu+tcp://host/system`, `qemu+ssh://root@host:2222/system?keyfile=...`).
 */
export interface LibvirtUri {
  /** The URI as given. */
  uri: string;
  /** `qemu`, `test`, ... */
  driver: string;
  /** `unix` (the default without a host), `tcp`, `tls` (the default with a host), `ssh`, ... */
  transport: string;
  user: string | undefined;
  host: string | undefined;
  port: number | undefined;
  /** `/system`, `/session`, `/default`. */
  path: string;
  query: URLSearchParams;
  /** What the daemon is asked to open: the URI without transport, user, host and port. */
  remoteName: string;
}

export function parseLibvirtUri(uri: string): LibvirtUri {
  if (typeof uri !== 'string') throw new LibvirtArgumentError('uri', 'expected a string');
  const m = /^([a-z][a-z0-9]*)(?:\+([a-z0-9]+))?:\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(
    uri,
  );
  if (!m) {
    throw new LibvirtArgumentError(
      'uri',
      `"${uri}" is not a libvirt URI (driver[+transport]://[user@][host][:port]/path[?query])`,
    );
  }
  const [, driver, explicitTransport, authority = '', path = '/', rawQuery = ''] = m;
  let user: string | undefined;
  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    user = decodeURIComponent(authority.slice(0, at));
    hostPort = authority.slice(at + 1);
  }
  let port: number | undefined;
  const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
  if (!hp)
    throw new LibvirtArgumentError('uri', `"${uri}": cannot read host and port from "${hostPort}"`);
  const host = hp[1] === '' ? undefined : hp[1]!.replace(/^\[|\]$/g, '');
  if (hp[2] !== undefined) {
    port = Number(hp[2]);
    if (port < 1 || port > 65535)
      throw new LibvirtArgumentError('uri', `"${uri}": port ${port} out of range`);
  }
  const transport = (explicitTransport ?? (host === undefined ? 'unix' : 'tls')).toLowerCase();
  const query = new URLSearchParams(rawQuery);
  return {
    uri,
    driver: driver!.toLowerCase(),
    transport,
    user,
    host,
    port,
    path,
    query,
    remoteName: `${driver!.toLowerCase()}://${path}`,
  };
}
