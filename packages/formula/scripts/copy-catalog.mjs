#!/usr/bin/env node
// Copies the catalog (examples/formulas, its one home in the repository) into the package as
// catalog/, which is published: `extends: bases/debian` then resolves in an installed package.
// Each file's `# yaml-language-server: $schema=` modeline is rewritten to the package's own
// formula.schema.json, so editors find the schema inside node_modules too.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(packageDir, '..', '..', 'examples', 'formulas');
const target = join(packageDir, 'catalog');
const schema = join(packageDir, 'formula.schema.json');
const MODELINE = /^# yaml-language-server: \$schema=.*$/m;

rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });

function rewrite(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewrite(path);
    else if (/\.ya?ml$/.test(entry.name)) {
      const text = readFileSync(path, 'utf8');
      const line = `# yaml-language-server: $schema=${relative(dir, schema)}`;
      writeFileSync(path, MODELINE.test(text) ? text.replace(MODELINE, line) : `${line}\n${text}`);
    }
  }
}
rewrite(target);
