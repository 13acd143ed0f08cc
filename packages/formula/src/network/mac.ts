import { createHash } from 'node:crypto';
import type { ResolvedFormula } from '../compose/resolved.js';
import { MacCollisionError } from '../errors.js';

/** The seeds' prefix: every portal NIC is `00:00:10:X:X:X`. */
export const MAC_PREFIX = '00:00:10';

/** `portal/network`: the key of one interface in a MAC allocation. */
export function interfaceKey(portal: string, network: string): string {
  return `${portal}/${network}`;
}

/** A formula and its children, depth first: the portals one set holds. */
export function flattenPortals(formulas: readonly ResolvedFormula[]): ResolvedFormula[] {
  return formulas.flatMap((f) => [f, ...flattenPortals(f.children)]);
}

function candidate(key: string, attempt: number): string {
  const digest = createHash('sha256').update(`${key}#${attempt}`).digest();
  const bytes = [digest[0], digest[1], digest[2]].map((b) =>
    (b ?? 0).toString(16).padStart(2, '0'),
  );
  return `${MAC_PREFIX}:${bytes.join(':')}`;
}

/**
 * MAC addresses for every interface of a set of portals (children included): fixed ones as
 * written, `auto` ones derived from a hash of `portal/network`, so the same portal keeps its
 * MAC from run to run. Interfaces are taken in sorted key order and a collision moves on to
 * the next hash, so the result depends on the set, not on the order it is given in. Two
 * interfaces fixing one MAC throw `MacCollisionError`. Portals are told apart by name.
 */
export function allocateMacs(formulas: readonly ResolvedFormula[]): Map<string, string> {
  const macs = new Map<string, string>();
  const owners = new Map<string, string>();
  const auto: string[] = [];
  const seen = new Set<string>();
  for (const portal of flattenPortals(formulas)) {
    for (const network of portal.networks) {
      const key = interfaceKey(portal.name, network.name);
      // A portal listed on its own and as a child is one portal: one MAC per interface.
      if (seen.has(key)) continue;
      seen.add(key);
      if (network.mac === 'auto') {
        auto.push(key);
        continue;
      }
      const mac = network.mac.toLowerCase();
      const owner = owners.get(mac);
      if (owner !== undefined) throw new MacCollisionError(mac, [owner, key]);
      owners.set(mac, key);
      macs.set(key, mac);
    }
  }
  for (const key of auto.sort()) {
    let attempt = 0;
    let mac = candidate(key, attempt);
    while (owners.has(mac)) mac = candidate(key, ++attempt);
    owners.set(mac, key);
    macs.set(key, mac);
  }
  return macs;
}

/**
 * A vsock context id for a portal whose formula says `cid: auto`: derived from the name, in
 * 3..2^31, so it is stable across runs. Pass fixed ids to avoid the rare clash in a big set.
 */
export function autoVsockCid(portal: string): number {
  const digest = createHash('sha256').update(`vsock:${portal}`).digest();
  return 3 + (digest.readUInt32BE(0) % (2 ** 31 - 3));
}
