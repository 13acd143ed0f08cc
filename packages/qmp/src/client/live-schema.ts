import { QmpProtocolError } from '../errors.js';

/** One entry of `query-qmp-schema` (SchemaInfo). Fields beyond these are kept untouched. */
export interface SchemaInfoEntry {
  name: string;
  'meta-type': string;
  'arg-type'?: string;
  'ret-type'?: string;
  members?: Array<{ name: string; type?: string; default?: unknown; features?: string[] }>;
  features?: string[];
  'allow-oob'?: boolean;
  [key: string]: unknown;
}

/**
 * The schema the connected QEMU reports about itself. Type names in it are masked (`"1"`,
 * `"2"`, ...) except for commands and events, so lookups go through the command's arg-type.
 */
export class LiveSchema {
  readonly entries: readonly SchemaInfoEntry[];
  private readonly byName = new Map<string, SchemaInfoEntry>();
  readonly commands: ReadonlySet<string>;
  readonly events: ReadonlySet<string>;

  constructor(raw: unknown) {
    if (!Array.isArray(raw)) {
      throw new QmpProtocolError('query-qmp-schema did not return an array');
    }
    this.entries = raw as SchemaInfoEntry[];
    const commands = new Set<string>();
    const events = new Set<string>();
    for (const entry of this.entries) {
      this.byName.set(entry.name, entry);
      if (entry['meta-type'] === 'command') commands.add(entry.name);
      else if (entry['meta-type'] === 'event') events.add(entry.name);
    }
    this.commands = commands;
    this.events = events;
  }

  hasCommand(name: string): boolean {
    return this.commands.has(name);
  }

  hasEvent(name: string): boolean {
    return this.events.has(name);
  }

  /** Whether `name` may be run with `exec-oob` on this QEMU. */
  allowsOob(name: string): boolean {
    const entry = this.byName.get(name);
    return entry?.['meta-type'] === 'command' && entry['allow-oob'] === true;
  }

  /** Argument names of a command (for completion), optional ones without their `*`. */
  argumentNames(command: string): string[] {
    const entry = this.byName.get(command);
    const argType = entry?.['arg-type'];
    if (!argType) return [];
    const args = this.byName.get(argType);
    return args?.members?.map((m) => m.name) ?? [];
  }

  /** Raw entry by (possibly masked) name. */
  lookup(name: string): SchemaInfoEntry | undefined {
    return this.byName.get(name);
  }
}
