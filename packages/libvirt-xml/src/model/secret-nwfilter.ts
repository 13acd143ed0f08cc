import { checkEnum, checkInt, checkName, checkNonEmpty, checkUuid, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import type { XmlElement } from '../xml/tree.js';
import { DocumentView, joinPath, newDocument, parseRoot } from './document.js';
import { attrOf, el, textOf, yesNo } from './view.js';

/** What a secret unlocks: an encrypted volume, a Ceph/iSCSI login, a TLS key, a vTPM state. */
export type SecretUsage =
  | { volume: string }
  | { ceph: string }
  | { iscsi: string }
  | { tls: string }
  | { vtpm: string };

export interface SecretOptions {
  uuid?: string;
  description?: string;
  /** Kept in memory only, never written to disk by libvirt. */
  ephemeral?: boolean;
  /** The value can never be read back through the API. */
  private?: boolean;
  usage: SecretUsage;
}

/** A libvirt `<secret>` (its value is set separately, never part of the XML). */
export class Secret extends DocumentView {
  protected static override readonly childOrder = ['uuid', 'description', 'usage'];

  get uuid(): string | undefined {
    return this.childText('uuid');
  }
  get description(): string | undefined {
    return this.childText('description');
  }
  get ephemeral(): boolean | undefined {
    return yesNo(joinPath(this.path, 'ephemeral'), this.attr('ephemeral'));
  }
  get private(): boolean | undefined {
    return yesNo(joinPath(this.path, 'private'), this.attr('private'));
  }
  /** Usage type (`volume`, `ceph`, `iscsi`, `tls`, `vtpm`) and what it names. */
  get usage(): { type: string; target: string } | undefined {
    const usage = this.child('usage');
    if (!usage) return undefined;
    const inner = usage.children.find((n): n is XmlElement => n.kind === 'element');
    return { type: attrOf(usage, 'type') ?? '', target: inner ? textOf(inner) : '' };
  }
}

export function secret(options: SecretOptions): Secret {
  const s = new Secret(newDocument('secret'));
  s.setAttr('ephemeral', options.ephemeral ?? false);
  s.setAttr('private', options.private ?? false);
  if (options.uuid !== undefined) s.setChildText('uuid', checkUuid('uuid', options.uuid));
  if (options.description !== undefined) s.setChildText('description', options.description);
  const [type, value] = Object.entries(options.usage)[0] ?? [];
  if (type === undefined || typeof value !== 'string') {
    throw new InvalidValueError(
      'usage',
      options.usage,
      'give one of volume, ceph, iscsi, tls, vtpm',
    );
  }
  const kind = checkEnum('usage', type, ['volume', 'ceph', 'iscsi', 'tls', 'vtpm'] as const);
  const inner = kind === 'volume' ? 'volume' : kind === 'iscsi' ? 'target' : 'name';
  s.insert(el('usage', { type: kind }, el(inner, {}, checkNonEmpty(`usage.${kind}`, value))));
  return s;
}

export function parseSecret(xml: string, options?: ParseXmlOptions): Secret {
  return new Secret(parseRoot(xml, 'secret', options));
}

export const NWFILTER_ACTIONS = ['drop', 'reject', 'accept', 'return', 'continue'] as const;
export const NWFILTER_DIRECTIONS = ['in', 'out', 'inout'] as const;

export interface NwfilterRuleInput {
  action: (typeof NWFILTER_ACTIONS)[number];
  direction: (typeof NWFILTER_DIRECTIONS)[number];
  /** -1000 to 1000; lower runs first (default 500). */
  priority?: number;
  /** Protocol element (`tcp`, `udp`, `icmp`, `ip`, `arp`, `mac`, `all`...) and its attributes. */
  match?: { protocol: string; attrs?: Record<string, string | number> };
}

export interface NwfilterOptions {
  name: string;
  /** `root`, `mac`, `ipv4`, `ipv6`, `arp`, `rarp`, or a prefixed custom chain. */
  chain?: string;
  priority?: number;
  uuid?: string;
  /** Other filters pulled in (`clean-traffic`, ...). */
  filterrefs?: string[];
  rules?: NwfilterRuleInput[];
}

/** A libvirt network filter (`<filter>`): rules and references to other filters. */
export class Nwfilter extends DocumentView {
  protected static override readonly childOrder = ['uuid'];

  get name(): string | undefined {
    return this.attr('name');
  }
  get chain(): string | undefined {
    return this.attr('chain');
  }
  get filterrefs(): string[] {
    return this.children('filterref').map((f) => attrOf(f, 'filter') ?? '');
  }
  get rules(): Array<{
    action?: string;
    direction?: string;
    priority?: number;
    protocols: string[];
  }> {
    return this.children('rule').map((r, i) => {
      const priority = readInt(joinPath(this.path, `rules[${i}].priority`), attrOf(r, 'priority'));
      return {
        action: attrOf(r, 'action'),
        direction: attrOf(r, 'direction'),
        ...(priority === undefined ? {} : { priority }),
        protocols: r.children
          .filter((n): n is XmlElement => n.kind === 'element')
          .map((n) => n.name),
      };
    });
  }
}

export function nwfilter(options: NwfilterOptions): Nwfilter {
  const f = new Nwfilter(newDocument('filter'));
  f.setAttr('name', checkName('name', options.name));
  if (options.chain !== undefined) f.setAttr('chain', checkNonEmpty('chain', options.chain));
  if (options.priority !== undefined)
    f.setAttr('priority', checkInt('priority', options.priority, -1000, 1000));
  if (options.uuid !== undefined) f.setChildText('uuid', checkUuid('uuid', options.uuid));
  for (const ref of options.filterrefs ?? [])
    f.insert(el('filterref', { filter: checkNonEmpty('filterrefs', ref) }));
  (options.rules ?? []).forEach((rule, i) => {
    const path = `rules[${i}]`;
    const match = rule.match;
    f.insert(
      el(
        'rule',
        {
          action: checkEnum(`${path}.action`, rule.action, NWFILTER_ACTIONS),
          direction: checkEnum(`${path}.direction`, rule.direction, NWFILTER_DIRECTIONS),
          priority: checkInt(`${path}.priority`, rule.priority ?? 500, -1000, 1000),
        },
        match && el(checkNonEmpty(`${path}.match.protocol`, match.protocol), match.attrs ?? {}),
      ),
    );
  });
  return f;
}

export function parseNwfilter(xml: string, options?: ParseXmlOptions): Nwfilter {
  return new Nwfilter(parseRoot(xml, 'filter', options));
}
