// `env_file` and `environment` → the service's environment, as Compose builds it: the files in
// order (later ones win), then `environment` over them. A variable written without a value
// (`- DEBUG` or `DEBUG:`) takes its value from the environment pitstop runs in (or `.env`); when
// that has none, an env_file's value stays, else it is left out.
import { readFile } from 'node:fs/promises';
import { displayPath } from '../render.js';
import { describeInput } from '../zod-issues.js';
import { parseDotenv } from './dotenv.js';
import { child, entries, isMap, items, type Node } from './located.js';
import type { ServiceScope } from './scope.js';

async function readEnvFile(scope: ServiceScope, item: Node, index: number, into: Record<string, string>) {
  const rel = ['env_file', index];
  const spec = isMap(item.value) ? item.value : { path: item.value };
  if (typeof spec.path !== 'string') {
    scope.error(rel, `expected a file path or a map with "path", got ${describeInput(item.value)}`);
    return;
  }
  if (isMap(item.value)) scope.checkKeys(item, rel, ['path', 'required', 'format']);
  const required = scope.flag(child(item, 'required'), [...rel, 'required']) ?? true;
  const format = scope.text(child(item, 'format'), [...rel, 'format']);
  if (format !== undefined && format !== 'raw') {
    scope.warn(
      [...rel, 'format'],
      `format "${format}" is not supported by pitstop (read as a Compose env file)`,
    );
  }
  let text: string;
  try {
    text = await readFile(spec.path, 'utf8');
  } catch (err) {
    if (!required) return;
    const code = (err as NodeJS.ErrnoException).code;
    scope.error(
      isMap(item.value) ? [...rel, 'path'] : rel,
      `cannot read env file ${displayPath(spec.path)} (${code})`,
      {
        hint: 'the path is relative to the Compose file; add required: false if the file is optional',
      },
    );
    return;
  }
  const parsed = parseDotenv(text, scope.ctx.env, { raw: format === 'raw' });
  for (const p of parsed.problems) scope.ctx.diag.errorAt(spec.path, text, p.line, p.col, p.message, p.hint);
  for (const [key, value] of parsed.values) into[key] = value;
}

export async function mapEnvironment(scope: ServiceScope): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const files = child(scope.node, 'env_file');
  if (files && Array.isArray(files.value)) {
    const list = items(files);
    for (let i = 0; i < list.length; i++) await readEnvFile(scope, list[i]!, i, env);
  } else if (files && files.value !== null) {
    scope.error(['env_file'], `expected a file path or a list of them, got ${describeInput(files.value)}`);
  }

  const written = child(scope.node, 'environment');
  if (!written || written.value === null) return env;
  if (!isMap(written.value)) {
    scope.error(
      ['environment'],
      `expected a map or a list of "KEY=value", got ${describeInput(written.value)}`,
    );
    return env;
  }
  for (const [key, part] of entries(written)) {
    const value = part.value;
    if (value === null) {
      const inherited = scope.ctx.env(key);
      if (inherited !== undefined) env[key] = inherited;
    } else if (typeof value === 'object') {
      scope.error(['environment', key], `expected a string, number or boolean, got ${describeInput(value)}`);
    } else {
      env[key] = String(value);
    }
  }
  return env;
}
