// ESM runner (copied into the consumer project): imports the package the way an ESM app does
// and runs its program from programs.mjs. node run.mjs <package> <programs.mjs> <catalog>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [name, programsFile, catalog] = process.argv.slice(2);
const resolved = fileURLToPath(import.meta.resolve(name));
if (!resolved.includes('node_modules') || !resolved.endsWith('.js')) {
  throw new Error(`import of ${name} resolved to ${resolved}, not the package's ESM build`);
}
const { programs } = await import(pathToFileURL(programsFile).href);
const work = mkdtempSync(join(tmpdir(), 'mv-consumer-esm-'));
try {
  await programs[name]({ load: (specifier) => import(specifier), work, catalog });
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${name} (ESM, ${process.version}): ok`);
