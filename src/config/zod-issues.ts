// zod validation with pitstop's own wording. zod's error map sees the schema that raised each
// issue (and the input), so the words come from the schema's Expectation; the issues zod returns
// only carry a token pointing at those words. Unions are narrowed to the branch the user most
// likely meant, so `run: [ls, 3]` says "expected a string, got a number" at `run[1]`.
import type * as z from 'zod';
import { didYouMean, suggest } from './did-you-mean.js';
import type { IssueList } from './issues.js';
import { type Explained, expectations } from './schema.js';
import type { KeyPath } from './yaml-source.js';

type Detail =
  | { kind: 'missing' }
  | { kind: 'type'; noun: string; got: string }
  | { kind: 'keys'; allowed: string[] }
  | { kind: 'text'; message: string; hint?: string };

interface RawIssue {
  code: string;
  input?: unknown;
  inst?: unknown;
  schema?: unknown;
  expected?: string;
  values?: unknown[];
  minimum?: unknown;
  maximum?: unknown;
  origin?: string;
}

const DEFAULT_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  null: 'nothing',
};

/** How a value the user wrote is described in "got …". */
export function describeInput(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : `the number ${value}`;
  return `a ${typeof value}`;
}

type Schema = { _zod: { def: { type: string; shape?: Record<string, unknown> } } };

function expectationOf(schema: unknown) {
  return schema ? expectations.get(schema as z.ZodType) : undefined;
}

function detailOf(iss: RawIssue): Detail {
  const owner = (iss.schema ?? iss.inst) as Schema | undefined;
  const expectation = expectationOf(owner);
  if (iss.input === undefined && (iss.code === 'invalid_type' || iss.code === 'invalid_union')) {
    return { kind: 'missing' };
  }
  const explained: Explained | undefined = expectation?.explain?.({ code: iss.code, input: iss.input });
  if (explained) return { kind: 'text', ...explained };
  const got = describeInput(iss.input);
  switch (iss.code) {
    case 'invalid_type':
      return {
        kind: 'type',
        noun: expectation?.noun ?? DEFAULT_NOUNS[iss.expected ?? ''] ?? 'something else',
        got,
      };
    case 'invalid_union':
      // Without a noun of its own, a union is described by its branches' nouns.
      return { kind: 'type', noun: expectation?.noun ?? '', got };
    case 'unrecognized_keys':
      return { kind: 'keys', allowed: Object.keys(owner?._zod.def.shape ?? {}) };
    case 'invalid_value': {
      const values = (iss.values ?? []).map(String);
      const message = `expected one of ${values.map((v) => `"${v}"`).join(', ')}, got ${typeof iss.input === 'string' ? `"${iss.input}"` : got}`;
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, values) : undefined;
      return { kind: 'text', message, hint };
    }
    case 'too_small':
      if (iss.origin === 'string' || iss.origin === 'array')
        return { kind: 'text', message: 'must not be empty' };
      return { kind: 'text', message: `must be at least ${String(iss.minimum)}, got ${String(iss.input)}` };
    case 'too_big':
      return { kind: 'text', message: `must be at most ${String(iss.maximum)}, got ${String(iss.input)}` };
    case 'invalid_format':
      return { kind: 'text', message: `invalid value "${String(iss.input)}"` };
    default:
      return { kind: 'text', message: `invalid value (${iss.code})` };
  }
}

interface Finding {
  path: KeyPath;
  message: string;
  hint?: string;
  at: 'key' | 'value';
  /** For a missing key: its name, so a typo of it found next to it can stand in for it. */
  missing?: string;
  /** For an unknown key: the allowed key it is probably a typo of. */
  meant?: string;
}

type FinalIssue = z.core.$ZodIssue;

/** A branch that rejected the input outright (wrong type at its root) was not what the user meant. */
function rejectsType(issues: readonly FinalIssue[]): boolean {
  return (
    issues.length > 0 &&
    issues.every(
      (i) =>
        i.path.length === 0 &&
        (i.code === 'invalid_type' ||
          (i.code === 'invalid_union' && i.errors.every((branch) => rejectsType(branch)))),
    )
  );
}

function typeNouns(issues: readonly FinalIssue[], details: Detail[]): string[] {
  return issues.flatMap((i) => {
    const detail = details[Number(i.message)];
    if (i.code === 'invalid_union') return i.errors.flatMap((branch) => typeNouns(branch, details));
    return detail?.kind === 'type' ? [detail.noun] : [];
  });
}

function joinOr(words: string[]): string {
  const unique = [...new Set(words)];
  return unique.length <= 1 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

function translate(issue: FinalIssue, base: KeyPath, details: Detail[], out: Finding[]): void {
  const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const detail = details[Number(issue.message)] ?? { kind: 'text', message: issue.message };
  if (detail.kind === 'missing') {
    const name = String(path.at(-1));
    out.push({
      path: path.slice(0, -1),
      message: `missing required key "${name}"`,
      at: 'key',
      missing: name,
    });
    return;
  }
  if (detail.kind === 'keys' && issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      const meant = suggest(key, detail.allowed);
      const hint = meant ? `did you mean "${meant}"?` : `allowed keys here: ${detail.allowed.join(', ')}`;
      out.push({ path: [...path, key], message: `unknown key "${key}"`, hint, at: 'key', meant });
    }
    return;
  }
  if (issue.code === 'invalid_union' && detail.kind === 'type') {
    const meant = issue.errors
      .filter((branch) => !rejectsType(branch))
      .sort((a, b) => a.length - b.length)[0];
    if (meant) {
      for (const inner of meant) translate(inner, path, details, out);
      return;
    }
    const noun = detail.noun || joinOr(typeNouns(issue.errors.flat(), details));
    out.push({ path, message: `expected ${noun}, got ${detail.got}`, hint: exampleHint(path), at: 'value' });
    return;
  }
  if (detail.kind === 'type') {
    out.push({
      path,
      message: `expected ${detail.noun}, got ${detail.got}`,
      hint: exampleHint(path),
      at: 'value',
    });
    return;
  }
  if (detail.kind === 'text') out.push({ path, message: detail.message, hint: detail.hint, at: 'value' });
}

// What a key usually looks like, for the hint under a wrong-type error.
const EXAMPLES: Record<string, string> = {
  services: 'services: { api: { run: ./bin/api } }',
  ports: 'ports: [8080]',
  run: 'run: node server.js',
  cmd: 'cmd: go build -o bin/api .',
  build: 'build: go build -o bin/api .',
  watch: 'watch: [src, package.json]',
  ignore: 'ignore: ["*.log", tmp/]',
  inputs: 'inputs: ["**/*.go", go.mod]',
  outputs: 'outputs: [bin]',
  trigger: 'trigger: [package.json]',
  fall_back_on: 'fall_back_on: [go.sum]',
  env: 'env: { PORT: "8080" }',
  depends_on: 'depends_on: [db]',
  live_update: 'live_update: [{ sync: { from: src, to: /app/src } }, { restart: process }]',
  ready: 'ready: { http: http://127.0.0.1:8080/healthz }',
  tcp: 'tcp: 8080',
  sync: 'sync: { from: src, to: /app/src }',
  parallel: 'parallel: 4',
};

function exampleHint(path: KeyPath): string {
  const key = [...path].reverse().find((part): part is string => typeof part === 'string');
  const example = key ? EXAMPLES[key] : undefined;
  return example ? `for example: ${example}` : 'see the project file reference in the README';
}

export type Validation<T> = { ok: true; value: T } | { ok: false; paths: KeyPath[] };

/**
 * Validate `data` against `schema`, adding an issue for each problem (paths prefixed by `base`).
 * On failure, returns the paths of the problems so a caller can salvage the rest.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  data: unknown,
  base: KeyPath,
  issues: IssueList,
): Validation<z.output<T>> {
  const details: Detail[] = [];
  const result = schema.safeParse(data, {
    error: (iss) => {
      details.push(detailOf(iss as RawIssue));
      return String(details.length - 1);
    },
  });
  if (result.success) return { ok: true, value: result.data };
  const findings: Finding[] = [];
  for (const issue of result.error.issues) translate(issue, base, details, findings);
  // "missing run" next to "unknown key ruun, did you mean run?" says the same thing twice.
  const typoKey = (parent: KeyPath, key: string) => `${parent.join('\u0000')}\u0001${key}`;
  const typos = new Set(findings.filter((f) => f.meant).map((f) => typoKey(f.path.slice(0, -1), f.meant!)));
  for (const f of findings) {
    if (f.missing && typos.has(typoKey(f.path, f.missing))) continue;
    issues.add(f.path, f.message, { hint: f.hint, at: f.at });
  }
  return { ok: false, paths: findings.map((f) => f.path) };
}
