// Regenerates schema/pitstop.schema.json from the zod schema (`npm run schema`). A unit test
// fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectJsonSchemaText } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../schema/pitstop.schema.json', import.meta.url));
writeFileSync(target, projectJsonSchemaText());
console.log(`wrote ${target}`);
