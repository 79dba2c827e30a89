// A Compose `command: npm run dev` (a string) is split into words the way Compose splits it
// (go-shellwords): no shell runs. Quotes group words, a backslash escapes the next character, and
// an unquoted `;`, `&`, `|`, `<` or `>` ends the command — Compose silently drops the rest, so the
// caller is told what was dropped and can warn: `a && b` runs only `a` under Compose too.

export type Split =
  | { ok: true; words: string[]; dropped?: string }
  | { ok: false; message: string; hint: string };

const HINT = 'use the list form (["sh", "-c", "..."]) to run it through a shell';

export function splitWords(line: string): Split {
  const words: string[] = [];
  let word = '';
  let has = false;
  let single = false;
  let double = false;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (escaped) {
      escaped = false;
      word += c === 't' ? '\t' : c === 'n' ? '\n' : c;
      has = true;
      continue;
    }
    if (c === '\\' && !single) {
      escaped = true;
      continue;
    }
    if (/\s/.test(c) && !single && !double) {
      if (has) words.push(word);
      word = '';
      has = false;
      continue;
    }
    if (c === "'" && !double) {
      single = !single;
      has = true;
      continue;
    }
    if (c === '"' && !single) {
      double = !double;
      has = true;
      continue;
    }
    if (!single && !double && ';&|<>'.includes(c)) {
      // `2>` keeps go-shellwords' special case: the digits belong to the redirection.
      let from = i;
      if (c === '>' && /^[0-9]+$/.test(word)) {
        from -= word.length;
        has = false;
      }
      if (has) words.push(word);
      return { ok: true, words, dropped: line.slice(from).trim() };
    }
    if (!single && !double && (c === '(' || c === ')')) {
      return { ok: false, message: `"${c}" in a command string is not valid for Compose`, hint: HINT };
    }
    word += c;
    has = true;
  }
  if (single || double || escaped) {
    return { ok: false, message: 'unterminated quote or trailing backslash in the command', hint: HINT };
  }
  if (has) words.push(word);
  return { ok: true, words };
}
