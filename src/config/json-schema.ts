// The JSON Schema of pitstop.yaml, for editors (yaml-language-server) and for the docs. Generated
// from the zod schema, so it cannot drift from what loadProject accepts.
import * as z from 'zod';
import { projectSchema } from './schema.js';

export const SCHEMA_ID = 'https://github.com/pitstop-dev/pitstop/schema/pitstop.schema.json';

/** zod bounds `int` to the safe integers; in a schema for humans that is noise. */
function dropSafeIntegerBounds(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(dropSafeIntegerBounds);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.maximum === Number.MAX_SAFE_INTEGER) delete record.maximum;
  if (record.minimum === Number.MIN_SAFE_INTEGER) delete record.minimum;
  Object.values(record).forEach(dropSafeIntegerBounds);
}

export function projectJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(projectSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  dropSafeIntegerBounds(generated);
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: 'pitstop project file (pitstop.yaml)',
    ...rest,
    // `x-` keys are free for YAML anchors, as in Compose files.
    patternProperties: { '^x-': {} },
  };
}

/** The file's text as committed: stable key order, two-space indent, trailing newline. */
export function projectJsonSchemaText(): string {
  return `${JSON.stringify(projectJsonSchema(), null, 2)}\n`;
}
