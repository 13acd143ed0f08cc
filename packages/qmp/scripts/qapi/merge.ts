import type { Definition, Member } from './model.js';

/** A definition merged across QEMU versions; `versions` lists the releases that have it. */
export type Merged<D = Definition> = D & { versions: string[] };
export type MergedMember = Member & { versions: string[] };

function namespace(d: Definition): string {
  return d.kind === 'command' ? 'command' : d.kind === 'event' ? 'event' : 'type';
}

/**
 * Merges per-version definitions (oldest first) into one vocabulary. The newest definition of a
 * name gives its shape; enum values, struct members and union variants are the union over all
 * versions, and a member missing from any version that has its parent becomes optional, so the
 * merged type is true for every release.
 */
export function mergeVersions(
  versions: Array<{ label: string; definitions: Definition[] }>,
): Map<string, Merged> {
  const byKey = new Map<string, Array<{ label: string; def: Definition }>>();
  for (const { label, definitions } of versions) {
    for (const def of definitions) {
      const key = `${namespace(def)}:${def.name}`;
      let list = byKey.get(key);
      if (!list) {
        list = [];
        byKey.set(key, list);
      }
      list.push({ label, def });
    }
  }
  const merged = new Map<string, Merged>();
  for (const [key, list] of byKey) {
    const newest = (list.at(-1) as { def: Definition }).def;
    const labels = list.map((x) => x.label);
    const out = { ...structuredClone(newest), versions: labels } as Merged;
    const defs = list.map((x) => x.def);
    if (out.kind === 'enum') {
      const names = new Set(out.values.map((v) => v.name));
      for (const d of defs) {
        if (d.kind !== 'enum') continue;
        for (const v of d.values) {
          if (!names.has(v.name)) {
            names.add(v.name);
            out.values.push(v);
          }
        }
      }
    } else if (out.kind === 'struct') {
      out.members = mergeMembers(
        list.map((x) => ({
          label: x.label,
          members: x.def.kind === 'struct' ? x.def.members : undefined,
        })),
      );
    } else if (out.kind === 'command' && Array.isArray(out.args)) {
      out.args = mergeMembers(
        list.map((x) => ({
          label: x.label,
          members: x.def.kind === 'command' && Array.isArray(x.def.args) ? x.def.args : undefined,
        })),
      );
    } else if (out.kind === 'event' && Array.isArray(out.data)) {
      out.data = mergeMembers(
        list.map((x) => ({
          label: x.label,
          members: x.def.kind === 'event' && Array.isArray(x.def.data) ? x.def.data : undefined,
        })),
      );
    } else if (out.kind === 'union') {
      const seen = new Set(out.variants.map((v) => v.value));
      for (const d of defs) {
        if (d.kind !== 'union') continue;
        for (const v of d.variants) {
          if (!seen.has(v.value)) {
            seen.add(v.value);
            out.variants.push(v);
          }
        }
      }
      if (Array.isArray(out.base)) {
        out.base = mergeMembers(
          list.map((x) => ({
            label: x.label,
            members: x.def.kind === 'union' && Array.isArray(x.def.base) ? x.def.base : undefined,
          })),
        );
      }
    }
    // The oldest `Since:` wins: a later release may have rewritten the doc block.
    const withSince = defs.find((d) => d.since);
    if (withSince) out.since = withSince.since;
    merged.set(key, out);
  }
  return merged;
}

function mergeMembers(
  perVersion: Array<{ label: string; members: Member[] | undefined }>,
): MergedMember[] {
  const present = perVersion.filter((p) => p.members !== undefined);
  const order: string[] = [];
  const byName = new Map<string, MergedMember>();
  // Newest first so the newest shape of each member wins.
  for (const { label, members } of [...present].reverse()) {
    for (const m of members ?? []) {
      const existing = byName.get(m.name);
      if (existing) {
        existing.versions.unshift(label);
        existing.optional ||= m.optional;
        if (m.since) existing.since = m.since;
      } else {
        order.push(m.name);
        byName.set(m.name, { ...m, versions: [label] });
      }
    }
  }
  const out = order.map((n) => byName.get(n) as MergedMember);
  for (const m of out) if (m.versions.length < present.length) m.optional = true;
  return out;
}
