// CommonJS runner (copied into the consumer project): require()s the package the way a CJS
// app does and runs its program from programs.mjs. node run.cjs <package> <programs.mjs> <catalog>
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const [name, programsFile, catalog] = process.argv.slice(2);

async function main() {
  const resolved = require.resolve(name);
  if (!resolved.includes('node_modules') || !resolved.endsWith('.cjs')) {
    throw new Error(`require of ${name} resolved to ${resolved}, not the package's CJS build`);
  }
  const { programs } = await import(pathToFileURL(programsFile).href);
  const work = mkdtempSync(join(tmpdir(), 'mv-consumer-cjs-'));
  try {
    await programs[name]({ load: async (specifier) => require(specifier), work, catalog });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`${name} (CommonJS, ${process.version}): ok`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
