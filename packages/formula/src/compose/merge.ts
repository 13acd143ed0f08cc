/**
 * How a formula combines with the bases it extends (applied to the documents as written,
 * before defaults, bases first in the order listed, the extending formula last):
 *
 * - scalars: the later value wins;
 * - maps: merged key by key, recursively; a map whose `type` differs (a `boot:` of another
 *   type) replaces the earlier one whole;
 * - lists of named items (`disks`, `networks`, `shares.folders`, `provisioning.scripts`,
 *   `children`): an item replaces the earlier item of the same `name` in place, new items
 *   are appended;
 * - other lists (`devices`, `provisioning.packages.apt`, ...): appended, dropping exact
 *   duplicates;
 * - `extends` and `abstract` are never inherited.
 */
export function mergeFormulaValues(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (Array.isArray(base) && Array.isArray(override)) return mergeLists(base, override);
  if (isRecord(base) && isRecord(override)) {
    if ('type' in base && 'type' in override && base['type'] !== override['type']) return override;
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      merged[key] = key in base ? mergeFormulaValues(base[key], value) : value;
    }
    return merged;
  }
  return override;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const name = item['name'] ?? item['formula'];
  return typeof name === 'string' ? name : undefined;
}

// Linear in the lists' lengths: a formula may list thousands of items, and comparing each
// with every earlier one made a 200 KiB file take minutes.
function mergeLists(base: unknown[], override: unknown[]): unknown[] {
  const merged = [...base];
  const byName = new Map<string, number>();
  const texts = new Set<string>();
  merged.forEach((item, index) => {
    const name = nameOf(item);
    if (name !== undefined && !byName.has(name)) byName.set(name, index);
    texts.add(JSON.stringify(item));
  });
  for (const item of override) {
    const name = nameOf(item);
    const index = name === undefined ? undefined : byName.get(name);
    if (index !== undefined) {
      merged[index] = item;
      continue;
    }
    const text = JSON.stringify(item);
    if (texts.has(text)) continue;
    texts.add(text);
    if (name !== undefined) byName.set(name, merged.length);
    merged.push(item);
  }
  return merged;
}

/** A base's own document minus what is never inherited. */
export function inheritable(value: Record<string, unknown>): Record<string, unknown> {
  const { extends: _extends, abstract: _abstract, ...rest } = value;
  return rest;
}
