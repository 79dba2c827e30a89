// The `.gitignore` of one folder, parsed and ready to match paths below it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';

export const GITIGNORE = '.gitignore';

// Git and Docker match case-sensitively on Linux; on case-insensitive file systems a pattern must
// match whatever case the editor happened to write.
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

// Both libraries memoise every path they are asked about and never forget it. Rebuilding a
// matcher after this many lookups keeps memory flat over a long session without per-file state.
const LOOKUPS_BEFORE_REBUILD = 20_000;

interface Verdict {
  ignored: boolean;
  unignored: boolean;
}

/** Holds a matcher built from a file's text and rebuilds it now and then to drop its memo. */
class Recycled<T> {
  #instance: T;
  #lookups = 0;
  constructor(private readonly build: () => T) {
    this.#instance = build();
  }
  get(): T {
    if (++this.#lookups > LOOKUPS_BEFORE_REBUILD) {
      this.#lookups = 0;
      this.#instance = this.build();
    }
    return this.#instance;
  }
}

/** gitignore semantics (via `ignore`), paths relative to the folder holding the file. */
export class GitRules {
  readonly #matcher: Recycled<ReturnType<typeof ignore>>;
  constructor(readonly text: string) {
    this.#matcher = new Recycled(() => ignore({ ignorecase: IGNORE_CASE }).add(text));
  }

  /** `rel` uses `/` and ends with `/` for a directory. */
  test(rel: string): Verdict {
    return this.#matcher.get().test(rel);
  }

  /**
   * Whether this file alone excludes a folder above `rel` (but below the file's folder). The
   * library folds such a verdict into the answer for `rel`; a caller that already knows the
   * folder is included overall (a deeper file re-included it) must not trust that answer.
   */
  excludesAncestorOf(rel: string): boolean {
    const parts = rel.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.test(`${parts.slice(0, i).join('/')}/`).ignored) return true;
    }
    return false;
  }
}

export interface FolderRules {
  git?: GitRules;
}

/** Reads the rules files of `dir`; a missing or unreadable file contributes no rules. */
export function readFolderRules(dir: string): FolderRules {
  const rules: FolderRules = {};
  const git = readText(path.join(dir, GITIGNORE));
  if (git !== undefined) rules.git = new GitRules(git);
  return rules;
}

export function sameRules(a: FolderRules | undefined, b: FolderRules): boolean {
  return a?.git?.text === b.git?.text;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Missing, a folder of that name, or unreadable: git and docker would not use it either.
    return undefined;
  }
}
