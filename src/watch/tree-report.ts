// The tree watcher's interface and small pieces of it: the rules it consults, how it reads an
// entry's type, and the list of changes one event produced.
import { type Dirent, lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ChangeKind } from '../model/update.js';

export interface RawChange {
  path: string;
  kind: ChangeKind;
  /** `epochNow()` when the event that revealed the change arrived. */
  seenAt: number;
}

export interface TreeWatcherOptions {
  /** Absolute folders or files; a path inside another is redundant and dropped. */
  roots: readonly string[];
  rules?: TreeRules;
  onChanges(changes: RawChange[]): void;
  onWarning?(message: string): void;
  /** A failure after `ready` resolved (before, `ready` rejects). Watch limits are reported once. */
  onError?(err: Error): void;
}

export interface TreeWatcher {
  /** Resolves once every folder is watched; rejects (and closes) if the roots cannot be watched. */
  readonly ready: Promise<void>;
  /** Folders with a watch of their own (not counting the parents watched to see roots come and go). */
  watchedDirs(): number;
  close(): void;
}

/** What the tree watcher asks about paths; `IgnoreRules` is the real implementation. */
export interface TreeRules {
  /** True when a change to this path must not be reported. */
  isIgnored(absPath: string, isDir: boolean): boolean;
  /** True when this folder must not be watched nor walked. */
  shouldPrune(absDir: string): boolean;
  /** True for a file name whose content decides what is ignored below its folder. */
  isRulesFile(name: string): boolean;
  /** Re-reads the rules files of `dir`; true when they changed. Synchronous to keep event order. */
  reloadDir(dir: string): boolean;
  /** Forgets rules loaded for `dir` and below (it is gone or no longer watched). */
  forgetTree(dir: string): void;
}

export const NO_RULES: TreeRules = {
  isIgnored: () => false,
  shouldPrune: () => false,
  isRulesFile: () => false,
  reloadDir: () => false,
  forgetTree: () => {},
};

/** The changes one event (or one scan it triggered) revealed, filtered through the rules. */
export class Report {
  readonly changes: RawChange[] = [];
  constructor(
    private readonly seenAt: number,
    private readonly rules: TreeRules,
  ) {}

  change(abs: string): void {
    if (!this.rules.isIgnored(abs, false))
      this.changes.push({ path: abs, kind: 'change', seenAt: this.seenAt });
  }

  /** A path that no longer exists, so whether it was a folder is unknown: ignored either way hides it. */
  delete(abs: string): void {
    if (this.rules.isIgnored(abs, false) || this.rules.isIgnored(abs, true)) return;
    this.changes.push({ path: abs, kind: 'delete', seenAt: this.seenAt });
  }

  /** A folder that was watched; consumers read a folder delete as "everything inside it". */
  deleteWatched(abs: string): void {
    this.changes.push({ path: abs, kind: 'delete', seenAt: this.seenAt });
  }
}

/**
 * Which folder this is, beyond its path. The inode alone is not enough: ext4 gives a folder
 * deleted and re-created at once the same inode number, but a new birth time.
 */
export function dirId(stats: Stats): string {
  return `${stats.ino}:${stats.birthtimeMs}`;
}

export function lstatOrNull(abs: string): Stats | null {
  try {
    return lstatSync(abs);
  } catch {
    // Gone (or unreadable, which for our purposes is the same: nothing to report or watch).
    return null;
  }
}

/**
 * `dir` for a real folder, `file` for a regular file or a symlink (never followed, reported
 * itself), `other` for sockets, fifos and devices, which are never source code.
 */
export function entryKind(entry: Dirent, dir: string): 'dir' | 'file' | 'other' {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile() || entry.isSymbolicLink()) return 'file';
  if (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())
    return 'other';
  // Some file systems do not fill in the entry type.
  const stats = lstatOrNull(path.join(dir, entry.name));
  if (stats?.isDirectory()) return 'dir';
  return stats?.isFile() || stats?.isSymbolicLink() ? 'file' : 'other';
}
