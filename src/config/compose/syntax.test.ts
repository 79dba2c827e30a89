// The small languages inside a Compose project: ${VAR} interpolation, .env files, command
// strings split into words, Go durations.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the Compose syntax under test.
import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.js';
import { parseGoDuration } from './go-duration.js';
import { interpolate } from './interpolate.js';
import { splitWords } from './shell-words.js';

const env: Record<string, string> = { NAME: 'shop', EMPTY: '', PORT: '8080' };
const lookup = (name: string) => env[name];
const value = (text: string) => {
  const r = interpolate(text, lookup);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('interpolate', () => {
  it('substitutes $VAR and ${VAR}, and $$ is a literal $', () => {
    expect(value('$NAME-${PORT}')).toBe('shop-8080');
    expect(value('cost: $$5 $${NAME}')).toBe('cost: $5 ${NAME}');
    expect(value('no variables')).toBe('no variables');
  });

  it('applies defaults: ":-" for unset or empty, "-" for unset only', () => {
    expect(value('${MISSING:-d}/${EMPTY:-d}/${NAME:-d}')).toBe('d/d/shop');
    expect(value('${MISSING-d}/${EMPTY-d}')).toBe('d/');
  });

  it('applies alternatives: ":+" when set and not empty, "+" when set', () => {
    expect(value('${NAME:+yes}/${EMPTY:+yes}/${MISSING:+yes}')).toBe('yes//');
    expect(value('${EMPTY+yes}/${MISSING+yes}')).toBe('yes/');
  });

  it('nests in defaults, evaluated only when used', () => {
    expect(value('${MISSING:-${NAME}-${PORT:-1}}')).toBe('shop-8080');
    const r = interpolate('${NAME:-${ALSO_MISSING}}', lookup);
    expect(r).toEqual({ ok: true, value: 'shop', unset: [] });
  });

  it('reports unset variables without a default (they become empty strings)', () => {
    expect(interpolate('a${X}b$Y${Z:-z}', lookup)).toEqual({ ok: true, value: 'abz', unset: ['X', 'Y'] });
  });

  it('fails on required variables, with the message written', () => {
    expect(interpolate('${MISSING:?set the token}', lookup)).toMatchObject({
      ok: false,
      message: 'required variable MISSING is not set: set the token',
    });
    expect(interpolate('${EMPTY:?}', lookup)).toMatchObject({
      ok: false,
      message: 'required variable EMPTY is empty',
    });
    expect(value('${EMPTY?}')).toBe('');
  });

  it('fails on a lone $ and on bad syntax, as Compose does', () => {
    expect(interpolate('5$', lookup)).toMatchObject({ ok: false, hint: 'write $$ for a literal "$"' });
    expect(interpolate('$1', lookup)).toMatchObject({ ok: false });
    expect(interpolate('${NAME', lookup)).toMatchObject({
      ok: false,
      message: expect.stringContaining('no closing'),
    });
    expect(interpolate('${NAME!x}', lookup)).toMatchObject({ ok: false });
    expect(interpolate('${}', lookup)).toMatchObject({ ok: false });
  });
});

describe('parseDotenv', () => {
  const parse = (text: string, outside: Record<string, string> = {}) => parseDotenv(text, (n) => outside[n]);

  it('reads KEY=value lines with comments, export and blank lines', () => {
    const r = parse('# comment\n\nexport A=1\nB = two words  # note\nC=x#y\nD:colon\nE=\n');
    expect(Object.fromEntries(r.values)).toEqual({ A: '1', B: 'two words', C: 'x#y', D: 'colon', E: '' });
    expect(r.problems).toEqual([]);
  });

  it('keeps single quotes literal and resolves escapes in double quotes, across lines', () => {
    const r = parse(`S='a $A \\n # b'\nD="line1\\nline2 \\"q\\" \\$A"\nM="first\nsecond"\nA=1\n`);
    expect(r.values.get('S')).toBe('a $A \\n # b');
    expect(r.values.get('D')).toBe('line1\nline2 "q" $A');
    expect(r.values.get('M')).toBe('first\nsecond');
  });

  it('interpolates from the outside environment first, then earlier lines', () => {
    const r = parse('HOST=db\nURL=postgres://${HOST}:${PORT:-5432}/${NAME}\nQ="${HOST}"\n', { NAME: 'app' });
    expect(r.values.get('URL')).toBe('postgres://db:5432/app');
    expect(r.values.get('Q')).toBe('db');
    expect(parse('HOST=db\nX=$HOST\n', { HOST: 'outside' }).values.get('X')).toBe('outside');
  });

  it('takes a bare KEY from the environment, and skips it when unset', () => {
    const r = parse('TOKEN\nOTHER\n', { TOKEN: 'abc' });
    expect(Object.fromEntries(r.values)).toEqual({ TOKEN: 'abc' });
  });

  it('reports bad lines with their position', () => {
    const r = parse('OK=1\n=nokey\nX="never closed\n');
    expect(r.problems).toEqual([
      { line: 2, col: 1, message: 'expected KEY=value, got "=nokey"', hint: expect.any(String) },
      { line: 3, col: 3, message: 'X: the double quote is never closed' },
    ]);
  });

  it('takes values as written in raw format', () => {
    expect(parseDotenv('A="x" $B\n', () => undefined, { raw: true }).values.get('A')).toBe('"x" $B');
  });
});

describe('splitWords', () => {
  it('splits like Compose (no shell): quotes group, backslash escapes', () => {
    expect(splitWords('node server.js --port 8080')).toEqual({
      ok: true,
      words: ['node', 'server.js', '--port', '8080'],
    });
    expect(splitWords(`sh -c 'echo "$HOME" && exit 1'`)).toEqual({
      ok: true,
      words: ['sh', '-c', 'echo "$HOME" && exit 1'],
    });
    expect(splitWords('echo "a b" c\\ d \'\'')).toEqual({ ok: true, words: ['echo', 'a b', 'c d', ''] });
  });

  it('stops at an unquoted operator and says what was dropped', () => {
    expect(splitWords('npm install && npm start')).toEqual({
      ok: true,
      words: ['npm', 'install'],
      dropped: '&& npm start',
    });
    expect(splitWords('cmd 2>/dev/null')).toEqual({ ok: true, words: ['cmd'], dropped: '2>/dev/null' });
  });

  it('fails on unterminated quotes and parentheses', () => {
    expect(splitWords('echo "open')).toMatchObject({ ok: false });
    expect(splitWords('echo (a)')).toMatchObject({ ok: false });
  });
});

describe('parseGoDuration', () => {
  it('reads Go durations', () => {
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('2h')).toBe(7_200_000);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('10us')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '10', '1x', 's', '1m 30s', '-1s']) expect(parseGoDuration(bad)).toBeUndefined();
  });
});
