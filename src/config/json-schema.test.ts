import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectJsonSchema, projectJsonSchemaText } from './json-schema.js';

type Json = Record<string, unknown>;

/** Every object schema (one with `properties`) in the tree. */
function objectSchemas(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) {
    for (const item of node) objectSchemas(item, out);
  } else if (typeof node === 'object' && node !== null) {
    const record = node as Json;
    if (record.properties) out.push(record);
    for (const value of Object.values(record)) objectSchemas(value, out);
  }
  return out;
}

describe('schema/pitstop.schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema`)', () => {
    const committed = readFileSync(new URL('../../schema/pitstop.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(projectJsonSchemaText());
  });

  it('closes every object and describes every key', () => {
    const objects = objectSchemas(projectJsonSchema());
    // top level, service, docker, docker build, build step (alone and in a list), run, ready,
    // dependency, live_update step, sync, live_update run, and the `{ value, secret }` env
    // entry wherever an env map appears: the walk must find them all, not just a few.
    expect(objects.length).toBeGreaterThanOrEqual(17);
    for (const object of objects) {
      expect(object.additionalProperties).toBe(false);
      for (const [key, property] of Object.entries(object.properties as Record<string, Json>)) {
        expect(typeof property.description, key).toBe('string');
      }
    }
  });

  it('states the choices a zod object cannot: one readiness check, one action per live_update step', () => {
    const service = ((projectJsonSchema().properties as Json).services as Json).additionalProperties as Json;
    const props = service.properties as Record<string, Json>;
    expect(props.ready?.oneOf).toEqual([
      { required: ['http'] },
      { required: ['tcp'] },
      { required: ['log'] },
      { required: ['cmd'] },
    ]);
    expect((props.live_update!.items as Json).oneOf).toEqual([
      { required: ['sync'] },
      { required: ['run'] },
      { required: ['restart'] },
    ]);
    // `run` is optional in the schema: only local services need it, which the loader checks.
    expect(service.required).toBeUndefined();
  });
});
