// Writes formula.schema.json from the zod schema, formatted the way the repository's biome
// formats JSON; test/unit/json-schema.test.ts checks that the checked-in file says the same.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formulaJsonSchemaText } from '../src/schema/json-schema.js';

const target = fileURLToPath(new URL('../formula.schema.json', import.meta.url));
writeFileSync(target, formulaJsonSchemaText());
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', target], { stdio: 'inherit' });
console.log(`wrote ${target}`);
