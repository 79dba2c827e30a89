// `${VAR}` interpolation with Compose's syntax and semantics: `$VAR`, `${VAR}`, `${VAR:-default}`
// (unset or empty), `${VAR-default}` (unset), `${VAR:?error}` / `${VAR?error}` (required),
// `${VAR:+alt}` / `${VAR+alt}` (alternative when set), `$$` for a literal `$`, and nesting in the
// default, error or alternative. An unset variable without a default becomes an empty string and
// is reported to the caller (Compose warns); a lone `$` is an error, as in Compose.

export type Lookup = (name: string) => string | undefined;

export type Interpolation =
  | { ok: true; value: string; unset: string[] }
  | { ok: false; message: string; hint: string };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DOLLAR_HINT = 'write $$ for a literal "$"';

class Failure extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Index of the `}` closing the `${` whose body starts at `from`, counting nested `${`. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function readName(text: string, from: number): string {
  let end = from;
  if (!NAME_START.test(text[end] ?? '')) return '';
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  return text.slice(from, end);
}

function substitute(text: string, lookup: Lookup, unset: Set<string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === '$') {
      out += '$';
      i = at + 2;
    } else if (next === '{') {
      const end = closingBrace(text, at + 2);
      if (end < 0)
        throw new Failure(`invalid interpolation "${text.slice(at)}": no closing "}"`, DOLLAR_HINT);
      out += braced(text.slice(at + 2, end), lookup, unset);
      i = end + 1;
    } else {
      const name = readName(text, at + 1);
      if (!name) throw new Failure(`invalid interpolation: "$" followed by "${next ?? ''}"`, DOLLAR_HINT);
      const value = lookup(name);
      if (value === undefined) unset.add(name);
      out += value ?? '';
      i = at + 1 + name.length;
    }
  }
  return out;
}

/** The body of `${...}`: a name and an optional operator with its (lazily interpolated) word. */
function braced(body: string, lookup: Lookup, unset: Set<string>): string {
  const name = readName(body, 0);
  if (!name) {
    throw new Failure(
      `invalid interpolation "\${${body}}": expected a variable name`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's syntax, not a template.
      'a name has letters, digits and "_", e.g. ${PORT:-8080}',
    );
  }
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) unset.add(name);
    return value ?? '';
  }
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (!op) {
    throw new Failure(
      `invalid interpolation "\${${body}}"`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's syntax, not a template.
      'use ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} or ${VAR:+alternative}',
    );
  }
  const word = () => substitute(rest.slice(op.length), lookup, unset);
  const empty = value === undefined || (op.startsWith(':') && value === '');
  switch (op.at(-1)) {
    case '-':
      return empty ? word() : value!;
    case '+':
      return empty ? '' : word();
    default: {
      if (!empty) return value!;
      const why = word();
      throw new Failure(
        `required variable ${name} is ${value === undefined ? 'not set' : 'empty'}${why ? `: ${why}` : ''}`,
        `set ${name} in the environment or in the .env file next to the Compose file`,
      );
    }
  }
}

export function interpolate(text: string, lookup: Lookup): Interpolation {
  const unset = new Set<string>();
  try {
    return { ok: true, value: substitute(text, lookup, unset), unset: [...unset] };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, message: err.message, hint: err.hint };
    throw err;
  }
}
