import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type ObjectKind = 'folder' | 'pool' | 'network' | 'domain';

export interface Made {
  kind: ObjectKind;
  name: string;
}

/**
 * What the installer made, so `destroy` removes exactly that and never an object that was
 * there before. Kept in `<storage root>/installer-state.<uri>.json`, except for the test
 * driver, whose objects live only as long as the virsh process: its record stays in memory.
 */
export class InstallerState {
  private made: Made[];

  private constructor(
    private readonly file: string | undefined,
    made: Made[],
  ) {
    this.made = made;
  }

  static load(storageRoot: string, uri: string): InstallerState {
    if (uri.startsWith('test:')) return new InstallerState(undefined, []);
    const file = join(storageRoot, `installer-state.${uri.replace(/[^a-zA-Z0-9]+/g, '_')}.json`);
    const made = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { made: Made[] }).made
      : [];
    return new InstallerState(file, made);
  }

  has(kind: ObjectKind, name: string): boolean {
    return this.made.some((m) => m.kind === kind && m.name === name);
  }

  list(): readonly Made[] {
    return this.made;
  }

  async add(entry: Made): Promise<void> {
    if (!this.has(entry.kind, entry.name)) this.made.push(entry);
    await this.save();
  }

  async remove(entry: Made): Promise<void> {
    this.made = this.made.filter((m) => !(m.kind === entry.kind && m.name === entry.name));
    await this.save();
  }

  private async save(): Promise<void> {
    if (this.file === undefined) return;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, `${JSON.stringify({ made: this.made }, null, 2)}\n`);
  }
}
