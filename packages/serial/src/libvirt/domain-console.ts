import { type Domain, parseDomain } from '@multiverse-os/libvirt-xml';
import type { EndpointSpec } from '../endpoints/spec.js';
import { ConsoleNotFoundError, InvalidDomainXmlError } from '../errors.js';

export interface DomainConsole {
  endpoint: EndpointSpec;
  /** Which element it came from. */
  device: 'console' | 'serial';
  /** Position among the domain's elements of that kind. */
  index: number;
  /** The libvirt source type (`pty`, `unix`, `tcp`, `file`). */
  type: string;
  /** libvirt's alias (`serial0`, `console1`) of a running domain. */
  alias: string | undefined;
}

export interface FindDomainConsoleOptions {
  /** Look only at `<console>` or only at `<serial>` elements; default both, consoles first. */
  device?: 'console' | 'serial';
  /** Which one of that kind (default the first reachable one). */
  index?: number;
}

/**
 * Finds the host end of a domain's serial console in its XML (`virsh dumpxml` of a running
 * domain, where libvirt has filled in pty paths), as `virsh console` does: the first
 * `<console>`, else the first `<serial>`. A `pty` source gives its `/dev/pts/N`; a `unix` or
 * `tcp` source in `bind` mode (QEMU listens) is connected to, in `connect` mode listened on; a
 * `file` source is followed read-only.
 */
export function findDomainConsole(
  xml: string | Domain,
  options: FindDomainConsoleOptions = {},
): DomainConsole {
  let domain: Domain;
  try {
    domain = typeof xml === 'string' ? parseDomain(xml) : xml;
  } catch (error) {
    throw new InvalidDomainXmlError('/domain', String((error as Error).message ?? error), {
      cause: error,
    });
  }
  const name = domain.name ?? '(unnamed)';
  const kinds: ('console' | 'serial')[] = options.device ? [options.device] : ['console', 'serial'];
  const reasons: string[] = [];
  for (const device of kinds) {
    const views = device === 'console' ? domain.devices.consoles : domain.devices.serials;
    for (const [index, view] of views.entries()) {
      if (options.index !== undefined && index !== options.index) continue;
      const type = view.type ?? 'pty';
      const source = view.child('source');
      const where = `<${device}> #${index} (type ${type})`;
      const endpoint = endpointOf(type, source?.attrs ?? {}, view.attr('tty'));
      if (typeof endpoint === 'string') {
        reasons.push(`${where}: ${endpoint}`);
        continue;
      }
      return { endpoint, device, index, type, alias: view.alias };
    }
  }
  throw new ConsoleNotFoundError(
    name,
    reasons.length > 0
      ? `no reachable serial console: ${reasons.join('; ')}`
      : 'the domain has no <console> or <serial> device',
  );
}

/** The endpoint, or why there is none. */
function endpointOf(
  type: string,
  source: Record<string, string>,
  tty: string | undefined,
): EndpointSpec | string {
  switch (type) {
    case 'pty': {
      const path = source.path ?? tty;
      return path ? { kind: 'serial', path } : 'no pty path yet (is the domain running?)';
    }
    case 'unix': {
      const path = source.path;
      if (!path) return 'no socket path';
      return source.mode === 'connect' ? { kind: 'unix-listen', path } : { kind: 'unix', path };
    }
    case 'tcp': {
      const port = Number(source.service);
      if (!source.host || !Number.isInteger(port)) return 'no host and service';
      return source.mode === 'connect'
        ? { kind: 'tcp-listen', host: source.host, port }
        : { kind: 'tcp', host: source.host, port };
    }
    case 'file':
      return source.path ? { kind: 'file', path: source.path } : 'no file path';
    default:
      return `a ${type} source cannot be opened from the host`;
  }
}
