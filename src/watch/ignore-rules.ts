// What the watcher never reports and never walks into, for the whole project. Per-service
// `ignore` patterns are not here: they only hide a change from one service (see router.ts).
import path from 'node:path';
import picomatch from 'picomatch';
import type { Project } from '../model/project.js';
import { type FolderRules, GITIGNORE, GitRules, readFolderRules, sameRules } from './folder-rules.js';
import { isInside } from './paths.js';

const SEP = path.sep;

// Editors' swap, backup, lock and atomic-save files: reporting them would turn every save into
// a change "no rule covers" (a full rebuild) or a second batch. vim, emacs, JetBrains, macOS,
// and `sed -i` (which writes sedXXXXXX next to the file, then renames it over).
const EDITOR_TEMP = /(^\.#|^#.*#$|~$|\.sw[a-p]$|^4913$|___jb_(tmp|old)___$|^\.DS_Store$|^sed[A-Za-z0-9]{6}$)/;

// Folder decisions are memoised so a burst of files in one folder costs one walk up; the memo is
// dropped whenever rules change and capped so it never grows into per-file state.
const MAX_MEMO = 50_000;

interface OutputGlob {
  base: string;
  isMatch: (rel: string) => boolean;
}

/**
 * Sources, in the order they are checked: editor temp files, `.git` folders, the state dir, every service's build
 * outputs, `project.ignore` and `.gitignore` files. `.dockerignore` is not here: a file kept out of
 * an image may still be a host build's input, so it is watched, and the planner lets a change to
 * it alone pass without a rebuild (see planner.ts).
 *
 * Rules files are read lazily, the first time a path below their folder is asked about, so any
 * user of these rules (the watcher, the build input hasher) sees the same answers. Only folders
 * in the project root or below it, or inside a watch path outside the root, count: a
 * `.gitignore` above the project root (up to the repository's top) is not read. The watcher
 * calls `reloadDir` when a rules file changes; another user of a separate instance keeps the
 * rules it first read.
 */
export class IgnoreRules {
  readonly #stateDir: string;
  readonly #outputPrefixes: string[] = [];
  readonly #outputGlobs: OutputGlob[] = [];
  readonly #project: GitRules | undefined;
  readonly #root: string;
  /** Folders whose rules files count: the project root and every watch path. */
  readonly #scopes: string[];
  /** Folders that have rules files, with their parsed rules. */
  readonly #folders = new Map<string, FolderRules>();
  /** Folders already looked at for rules files, so a folder without any is read once. */
  readonly #read = new Set<string>();
  readonly #dirMemo = new Map<string, boolean>();

  constructor(project: Project) {
    this.#root = project.root;
    this.#stateDir = project.stateDir;
    this.#project = project.ignore.length > 0 ? new GitRules(project.ignore.join('\n')) : undefined;
    this.#scopes = [project.root, ...project.services.flatMap((s) => s.watch)];
    for (const service of project.services) {
      for (const output of service.build.flatMap((step) => step.outputs))
        this.#addOutput(service.dir, output);
    }
  }

  isRulesFile(name: string): boolean {
    return name === GITIGNORE;
  }

  /** (Re)reads `dir`'s rules files; true when what applies below `dir` changed. */
  reloadDir(dir: string): boolean {
    if (this.#read.size >= MAX_MEMO) this.#read.clear();
    this.#read.add(dir);
    if (!this.#scopes.some((scope) => isInside(dir, scope))) return false;
    const next = readFolderRules(dir);
    if (sameRules(this.#folders.get(dir), next)) return false;
    if (next.git) this.#folders.set(dir, next);
    else this.#folders.delete(dir);
    this.#dirMemo.clear();
    return true;
  }

  /**
   * Forgets the rules files of `dir` and below (the folder is gone or no longer watched). A folder
   * re-created later is read again when the watcher scans it or a rules file in it changes.
   */
  forgetTree(dir: string): void {
    let changed = false;
    for (const folder of [...this.#folders.keys()]) {
      if (isInside(folder, dir)) {
        this.#folders.delete(folder);
        changed = true;
      }
    }
    if (changed) this.#dirMemo.clear();
  }

  isIgnored(absPath: string, isDir: boolean): boolean {
    return (
      (!isDir && EDITOR_TEMP.test(path.basename(absPath))) ||
      this.#isOwnOrGit(absPath) ||
      this.#isOutput(absPath) ||
      this.#projectIgnores(absPath, isDir) ||
      this.#gitIgnores(absPath, isDir)
    );
  }

  /** Whether a folder need not be watched at all: nothing inside an ignored folder can count. */
  shouldPrune(absDir: string): boolean {
    return this.isIgnored(absDir, true);
  }

  #rulesOf(dir: string): FolderRules | undefined {
    if (!this.#read.has(dir)) this.reloadDir(dir);
    return this.#folders.get(dir);
  }

  #addOutput(serviceDir: string, output: string): void {
    // A negated output would "ignore everything else"; that is never what a build step means.
    if (output.startsWith('!')) return;
    const scan = picomatch.scan(output);
    if (!scan.isGlob) {
      this.#outputPrefixes.push(path.resolve(serviceDir, output));
      return;
    }
    // Anchor the glob one level above its literal base so it can match the base folder itself
    // (`out/**` covers `out`), while a base like `../shared` still resolves outside the service.
    const base = path.resolve(serviceDir, scan.base);
    const anchor = scan.base === '' ? base : path.dirname(base);
    const pattern = scan.base === '' ? scan.glob : `${escapeGlob(path.basename(base))}/${scan.glob}`;
    const matcher = picomatch(pattern, { dot: true });
    this.#outputGlobs.push({ base: anchor, isMatch: (rel) => matcher(rel) });
  }

  #isOwnOrGit(abs: string): boolean {
    return isInside(abs, this.#stateDir) || abs.includes(`${SEP}.git${SEP}`) || abs.endsWith(`${SEP}.git`);
  }

  #isOutput(abs: string): boolean {
    for (const prefix of this.#outputPrefixes) if (isInside(abs, prefix)) return true;
    for (const glob of this.#outputGlobs) {
      if (!isInside(abs, glob.base) || abs === glob.base) continue;
      // A glob that matches a folder covers what is inside it, like a plain folder output.
      const parts = path.relative(glob.base, abs).split(SEP);
      for (let i = 1; i <= parts.length; i++) {
        if (glob.isMatch(parts.slice(0, i).join('/'))) return true;
      }
    }
    return false;
  }

  #projectIgnores(abs: string, isDir: boolean): boolean {
    if (!this.#project || abs === this.#root || !isInside(abs, this.#root)) return false;
    return this.#project.test(toRel(this.#root, abs, isDir)).ignored;
  }

  #gitIgnores(abs: string, isDir: boolean): boolean {
    const parent = path.dirname(abs);
    if (parent !== abs && this.#gitIgnoresDir(parent)) return true;
    return this.#gitExcludesItself(abs, isDir);
  }

  // Git never re-includes anything inside an excluded folder, so a path is excluded when any
  // folder above it is, or when the deepest rules file that has an opinion about it says so.
  #gitIgnoresDir(dir: string): boolean {
    const memo = this.#dirMemo.get(dir);
    if (memo !== undefined) return memo;
    const parent = path.dirname(dir);
    const ignored = (parent !== dir && this.#gitIgnoresDir(parent)) || this.#gitExcludesItself(dir, true);
    if (this.#dirMemo.size >= MAX_MEMO) this.#dirMemo.clear();
    this.#dirMemo.set(dir, ignored);
    return ignored;
  }

  #gitExcludesItself(abs: string, isDir: boolean): boolean {
    for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
      const git = this.#rulesOf(dir)?.git;
      if (git) {
        const rel = toRel(dir, abs, isDir);
        const verdict = git.test(rel);
        if (verdict.unignored) return false;
        // Known limit: when that ancestor verdict hides a pattern naming this very path in the same
        // file, the path is reported; git would exclude it.
        if (verdict.ignored && !git.excludesAncestorOf(rel)) return true;
      }
      if (dir === path.dirname(dir)) return false;
    }
  }
}

function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]{}()!+@]/g, '\\$&');
}

function toRel(dir: string, abs: string, isDir: boolean): string {
  const rel = path.relative(dir, abs).split(SEP).join('/');
  return isDir ? `${rel}/` : rel;
}

export function createIgnoreRules(project: Project): IgnoreRules {
  return new IgnoreRules(project);
}
