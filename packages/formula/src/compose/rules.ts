import type { FormulaIssue } from '../errors.js';
import type { FormulaDocument } from '../schema/formula.js';
import { formatPath, locate, type SourceDocument } from '../yaml/parse.js';
import { checkTargets } from './target-rules.js';

/**
 * What holds across fields of a merged formula, which the per-field schema cannot see: a
 * runnable portal has a name, a category and a boot; names are unique in each list; the boot
 * disk exists.
 */
export function checkResolved(formula: FormulaDocument, source: SourceDocument): FormulaIssue[] {
  const issues: FormulaIssue[] = [];
  const add = (path: PropertyKey[], kind: string, message: string, expected?: string) => {
    const at = locate(source, path);
    issues.push({
      file: source.file,
      line: at.line,
      column: at.column,
      path: formatPath(path),
      kind,
      message,
      ...(expected === undefined ? {} : { expected }),
    });
  };
  if (formula.name === undefined) add(['name'], 'missing', 'missing required key "name"', 'a name');
  if (formula.category === undefined) {
    add(['category'], 'missing', 'missing required key "category"', 'a category path');
  }
  if (!formula.abstract && formula.boot === undefined) {
    add(
      ['boot'],
      'missing',
      'missing required key "boot" (a portal that is not abstract boots)',
      'a boot section',
    );
  }
  if (formula.boot?.type === 'disk') {
    const disk = formula.boot.disk;
    if (!formula.disks.some((d) => d.name === disk)) {
      const names = formula.disks.map((d) => d.name);
      add(
        ['boot', 'disk'],
        'rule',
        `no disk named "${disk}" under disks`,
        names.length ? `one of ${names.join(', ')}` : 'a disk under disks',
      );
    }
  }
  const unique = (list: readonly { name?: string | undefined }[], path: string, what: string) => {
    const seen = new Set<string>();
    list.forEach((item, index) => {
      if (item.name === undefined) return;
      if (seen.has(item.name))
        add(
          [...path.split('.'), index, 'name'],
          'rule',
          `${what} "${item.name}" is defined twice`,
          'a unique name',
        );
      seen.add(item.name);
    });
  };
  unique(formula.disks, 'disks', 'disk');
  unique(formula.networks, 'networks', 'network');
  unique(formula.shares.folders, 'shares.folders', 'shared folder');
  unique(formula.provisioning.scripts, 'provisioning.scripts', 'script');
  formula.disks.forEach((disk, index) => {
    // QEMU's IDE/SATA hard disk cannot be read-only (only a CD-ROM can).
    if (disk.readonly && disk.bus === 'sata') {
      add(
        ['disks', index, 'readonly'],
        'rule',
        'a SATA disk cannot be read-only',
        'bus virtio or scsi for a read-only disk',
      );
    }
  });
  const vsocks = formula.devices.flatMap((d, i) => (d.vsock ? [i] : []));
  for (const index of vsocks.slice(1))
    add(['devices', index, 'vsock'], 'rule', 'a portal has at most one vsock device');
  const tags = new Set([formula.shares.portal.tag]);
  formula.shares.folders.forEach((folder, index) => {
    if (tags.has(folder.name))
      add(['shares', 'folders', index, 'name'], 'rule', `share tag "${folder.name}" is taken`);
    tags.add(folder.name);
  });
  for (const problem of checkTargets(formula)) {
    add(problem.path, 'rule', problem.message, problem.expected);
  }
  return issues;
}
