// `.env` and `env_file` files as Compose reads them: `KEY=value` lines (or `KEY: value`), an
// optional `export `, `#` comments, single quotes (literal, may span lines), double quotes (escapes
// \n \t \r \\ \" \$, may span lines, interpolated), unquoted values (trimmed, ` #` starts a
// comment, interpolated). A line with only `KEY` takes the value from the environment, if set.
import { interpolate, type Lookup } from './interpolate.js';

export interface DotenvProblem {
  line: number;
  col: number;
  message: string;
  hint?: string;
}

export interface Dotenv {
  values: Map<string, string>;
  problems: DotenvProblem[];
  /** Variables used in values without a default that are set nowhere (they became ""). */
  unset: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;

/** Position of `offset` in `text`, 1-based. */
function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$$' };

/**
 * `lookup` answers for variables not defined earlier in the file (for the project's `.env`: the
 * process environment, which wins over the file anyway). `raw` takes values as written.
 */
export function parseDotenv(text: string, lookup: Lookup, options: { raw?: boolean } = {}): Dotenv {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const values = new Map<string, string>();
  const problems: DotenvProblem[] = [];
  const unset = new Set<string>();
  const known: Lookup = (name) => lookup(name) ?? values.get(name);
  const problem = (offset: number, message: string, hint?: string) =>
    problems.push({ ...positionOf(src, offset), message, ...(hint ? { hint } : {}) });
  const expand = (value: string, offset: number): string => {
    const result = interpolate(value, known);
    if (!result.ok) {
      problem(offset, result.message, result.hint);
      return value;
    }
    for (const name of result.unset) unset.add(name);
    return result.value;
  };

  let i = 0;
  while (i < src.length) {
    const eol = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    const line = src.slice(i, eol);
    const lead = line.length - line.trimStart().length;
    let body = line.trimStart();
    let at = i + lead;
    if (body === '' || body.startsWith('#')) {
      i = eol + 1;
      continue;
    }
    if (/^export\s/.test(body)) {
      const skip = body.length - body.replace(/^export\s+/, '').length;
      body = body.slice(skip);
      at += skip;
    }
    const key = KEY.exec(body)?.[0];
    if (!key) {
      problem(at, `expected KEY=value, got "${body.trim()}"`, 'a key has letters, digits, "_", "." and "-"');
      i = eol + 1;
      continue;
    }
    const afterKey = body.slice(key.length);
    const sep = /^\s*([=:])\s*/.exec(afterKey);
    if (!sep) {
      if (afterKey.trim() === '' || afterKey.trim().startsWith('#')) {
        const value = lookup(key);
        if (value !== undefined) values.set(key, value);
      } else {
        problem(at, `expected KEY=value, got "${body.trim()}"`);
      }
      i = eol + 1;
      continue;
    }
    const start = at + key.length + sep[0].length;
    if (options.raw) {
      values.set(key, src.slice(start, eol));
      i = eol + 1;
      continue;
    }
    const quote = src[start];
    if (quote === "'" || quote === '"') {
      const parsed = quote === "'" ? singleQuoted(src, start) : doubleQuoted(src, start);
      if (parsed.end < 0) {
        problem(start, `${key}: the ${quote === "'" ? 'single' : 'double'} quote is never closed`);
        break;
      }
      values.set(key, quote === "'" ? parsed.value : expand(parsed.value, start));
      const restEnd = src.indexOf('\n', parsed.end) < 0 ? src.length : src.indexOf('\n', parsed.end);
      const rest = src.slice(parsed.end + 1, restEnd).trim();
      if (rest !== '' && !rest.startsWith('#'))
        problem(parsed.end + 1, `unexpected text after the quoted value`);
      i = restEnd + 1;
      continue;
    }
    const unquoted = src
      .slice(start, eol)
      .replace(/(^|\s)#.*$/, '')
      .trim();
    values.set(key, expand(unquoted, start));
    i = eol + 1;
  }
  return { values, problems, unset: [...unset] };
}

function singleQuoted(src: string, start: number): { value: string; end: number } {
  const end = src.indexOf("'", start + 1);
  return { value: end < 0 ? '' : src.slice(start + 1, end), end };
}

/** Escapes are resolved; `\$` becomes `$$` so interpolation keeps it as a literal `$`. */
function doubleQuoted(src: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"') return { value, end: i };
    if (c === '\\' && i + 1 < src.length) {
      const next = src[++i]!;
      value += ESCAPES[next] ?? `\\${next}`;
    } else {
      value += c;
    }
  }
  return { value, end: -1 };
}
