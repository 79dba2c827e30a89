// Recursive watching on plain `fs.watch`: one non-recursive watch per folder (inotify on Linux),
// no timers, no polling and no per-file state. Reports a change the moment the kernel does;
// batching is the coalescer's job.
import { type FSWatcher, readdirSync, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { epochNow } from '../events.js';
import type { ChangeKind } from '../model/update.js';
import { minimalRoots } from './paths.js';
import { entryKind, lstatOrNull, NO_RULES, Report, type TreeRules } from './tree-report.js';
import { classifyWatchError, errorCode } from './watch-errors.js';

export type { TreeRules } from './tree-report.js';

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

export function startTreeWatcher(options: TreeWatcherOptions): TreeWatcher {
  const tree = new Tree(options);
  return { ready: tree.ready, watchedDirs: () => tree.watchedDirs(), close: () => tree.close() };
}

interface WatchedDir {
  watcher: FSWatcher;
  /** Tells a folder that was deleted and re-created between two events from the one we watch. */
  ino: number;
  /** Names of the watched folders directly inside, so a subtree closes without a full walk. */
  subdirs: Set<string>;
}

interface Root {
  path: string;
  kind: 'dir' | 'file' | 'missing';
  /** The folder watched to see this root appear, change or disappear: its parent when it exists. */
  anchor?: string;
}

interface Anchor {
  watcher: FSWatcher;
  ino: number;
  roots: Set<Root>;
}

// `.git` churns on every commit and is never part of a service; skip it before any rule runs.
const GIT_DIR = '.git';

class Tree {
  readonly ready: Promise<void>;
  readonly #dirs = new Map<string, WatchedDir>();
  readonly #anchors = new Map<string, Anchor>();
  readonly #roots: Root[];
  readonly #rules: TreeRules;
  readonly #options: TreeWatcherOptions;
  #closed = false;
  #started = false;
  #limitReported = false;
  #startupError: Error | undefined;

  constructor(options: TreeWatcherOptions) {
    this.#options = options;
    this.#rules = options.rules ?? NO_RULES;
    this.#roots = minimalRoots(options.roots).map((p) => ({ path: p, kind: 'missing' }));
    this.ready = Promise.all(this.#roots.map((root) => this.#startRoot(root))).then(
      () => {
        if (this.#startupError) throw this.#startupError;
        this.#started = true;
      },
      (err: unknown) => {
        this.close();
        throw err;
      },
    );
  }

  watchedDirs(): number {
    return this.#dirs.size;
  }

  close(): void {
    this.#closed = true;
    for (const dir of this.#dirs.values()) dir.watcher.close();
    for (const anchor of this.#anchors.values()) anchor.watcher.close();
    this.#dirs.clear();
    this.#anchors.clear();
  }

  // ---- startup: watch everything, report nothing -------------------------------------------

  async #startRoot(root: Root): Promise<void> {
    const stats = await lstat(root.path).catch(() => null);
    // Watch the parent first so a root deleted while it is being scanned is still seen.
    root.kind = stats === null ? 'missing' : stats.isDirectory() ? 'dir' : 'file';
    this.#anchorRoot(root);
    if (root.kind === 'missing') {
      this.#warn(`watch path ${root.path} does not exist yet; it is watched from when it appears`);
    } else if (this.#rules.isIgnored(root.path, root.kind === 'dir')) {
      this.#warn(
        `watch path ${root.path} is ignored (by an ignore file, the project's ignore or a build output)`,
      );
    }
    if (stats?.isDirectory()) await this.#scanInitial(root.path, stats.ino);
  }

  async #scanInitial(dir: string, ino: number): Promise<void> {
    const node = this.#watchDir(dir, ino);
    if (!node) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
      this.#readFailed(err, dir);
      return [];
    });
    if (this.#dirs.get(dir) !== node) return;
    if (entries.some((e) => this.#rules.isRulesFile(e.name))) this.#rules.reloadDir(dir);
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name === GIT_DIR || entryKind(entry, dir) !== 'dir') return;
        const abs = path.join(dir, entry.name);
        const stats = await lstat(abs).catch(() => null);
        // An event may have watched it already (it was created during the scan); that one wins.
        if (!stats?.isDirectory() || this.#dirs.get(dir) !== node || this.#dirs.has(abs)) return;
        if (this.#rules.shouldPrune(abs)) return;
        await this.#scanInitial(abs, stats.ino);
      }),
    );
  }

  // ---- events ------------------------------------------------------------------------------

  #onDirEvent(dir: string, node: WatchedDir, name: string | null): void {
    if (this.#dirs.get(dir) !== node) return;
    const report = new Report(epochNow(), this.#rules);
    try {
      if (name === null) this.#rescan(dir, report);
      else if (name === path.basename(dir) && this.#isGone(dir, node.ino)) this.#dirGone(dir, report);
      else this.#onEntry(dir, name, report);
    } catch (err) {
      this.#fail(err);
    }
    this.#emit(report);
  }

  #onEntry(dir: string, name: string, report: Report): void {
    if (name === GIT_DIR) return;
    if (this.#rules.isRulesFile(name) && this.#rules.reloadDir(dir)) this.#refreshRules(dir);
    const abs = path.join(dir, name);
    const stats = lstatOrNull(abs);
    const watched = this.#dirs.get(abs);
    if (stats?.isDirectory()) {
      if (watched?.ino === stats.ino) return; // attribute change on a folder: noise
      if (watched) this.#unwatchTree(abs, report);
      if (!this.#rules.shouldPrune(abs)) this.#scanSync(abs, stats.ino, report);
      return;
    }
    if (watched) this.#unwatchTree(abs, report);
    if (stats === null) report.delete(abs);
    else if (stats.isFile() || stats.isSymbolicLink()) report.change(abs);
  }

  /**
   * A folder whose events were lost (a null file name). Without per-file state there is nothing
   * to compare files against, so only folders are reconciled: unknown ones are watched and their
   * files reported as new, vanished ones reported deleted. Files directly in `dir` are not.
   */
  #rescan(dir: string, report: Report): void {
    const node = this.#dirs.get(dir);
    if (!node) return;
    const seen = new Set<string>();
    for (const entry of this.#list(dir)) {
      if (entryKind(entry, dir) !== 'dir' || entry.name === GIT_DIR) continue;
      seen.add(entry.name);
      this.#onEntry(dir, entry.name, report);
    }
    for (const name of [...node.subdirs])
      if (!seen.has(name)) this.#unwatchTree(path.join(dir, name), report);
  }

  /** Re-watches a folder whose watch broke, reporting all of it: nothing tells what was missed. */
  #onWatchLost(dir: string, node: WatchedDir): void {
    if (this.#dirs.get(dir) !== node) return;
    const report = new Report(epochNow(), this.#rules);
    try {
      this.#unwatchTree(dir, report);
      const root = this.#roots.find((r) => r.path === dir);
      if (root) this.#refreshRoot(root, report, false);
      else if (this.#dirs.has(path.dirname(dir))) this.#onEntry(path.dirname(dir), path.basename(dir), report);
    } catch (err) {
      this.#fail(err);
    }
    this.#emit(report);
  }

  #isGone(dir: string, ino: number): boolean {
    const stats = lstatOrNull(dir);
    return !stats?.isDirectory() || stats.ino !== ino;
  }

  // inotify names the watched folder itself in events about it (deleted, moved, chmod). Its
  // parent reports the same thing, except for a root, whose anchor then takes over.
  #dirGone(dir: string, report: Report): void {
    const root = this.#roots.find((r) => r.path === dir);
    if (root) this.#refreshRoot(root, report, false);
    else this.#unwatchTree(dir, report);
  }

  // ---- watching and unwatching folders ------------------------------------------------------

  /** Watches `dir` first, then lists it, so a file written in between is reported twice, not never. */
  #scanSync(dir: string, ino: number, report: Report | null): void {
    if (!this.#watchDir(dir, ino)) return;
    const entries = this.#list(dir);
    if (entries.some((e) => this.#rules.isRulesFile(e.name))) this.#rules.reloadDir(dir);
    for (const entry of entries) {
      if (entry.name === GIT_DIR) continue;
      const abs = path.join(dir, entry.name);
      const kind = entryKind(entry, dir);
      if (kind === 'file') {
        report?.change(abs);
      } else if (kind === 'dir' && !this.#dirs.has(abs) && !this.#rules.shouldPrune(abs)) {
        const stats = lstatOrNull(abs);
        if (stats?.isDirectory()) this.#scanSync(abs, stats.ino, report);
      }
    }
  }

  #watchDir(dir: string, ino: number): WatchedDir | undefined {
    if (this.#closed) return undefined;
    const node: WatchedDir = { watcher: undefined as unknown as FSWatcher, ino, subdirs: new Set() };
    try {
      node.watcher = watch(dir, { persistent: true }, (_type, name) => this.#onDirEvent(dir, node, name));
    } catch (err) {
      this.#watchFailed(err, dir);
      return undefined;
    }
    // Node closes a watcher that errors; whatever happened since is unknown.
    node.watcher.on('error', () => this.#onWatchLost(dir, node));
    this.#dirs.set(dir, node);
    this.#dirs.get(path.dirname(dir))?.subdirs.add(path.basename(dir));
    return node;
  }

  /** Stops watching `dir` and everything below it and reports `dir` deleted. */
  #unwatchTree(dir: string, report: Report | null): void {
    const node = this.#dirs.get(dir);
    if (!node) return;
    this.#closeTree(dir, node);
    this.#dirs.get(path.dirname(dir))?.subdirs.delete(path.basename(dir));
    this.#rules.forgetTree(dir);
    // Reported even if ignored: it was watched, so something inside may have been visible.
    report?.deleteWatched(dir);
  }

  #closeTree(dir: string, node: WatchedDir): void {
    for (const name of node.subdirs) {
      const child = path.join(dir, name);
      const childNode = this.#dirs.get(child);
      if (childNode) this.#closeTree(child, childNode);
    }
    node.watcher.close();
    this.#dirs.delete(dir);
  }

  /** After a rules file changed in `dir`: unwatch what is now ignored, watch what no longer is. */
  #refreshRules(dir: string): void {
    if (this.#dirs.has(dir)) {
      this.#refreshSubtree(dir);
      return;
    }
    for (const root of this.#roots) {
      if (root.kind === 'dir' && path.dirname(root.path) === dir) this.#refreshSubtree(root.path);
    }
  }

  #refreshSubtree(dir: string): void {
    const node = this.#dirs.get(dir);
    if (!node) return;
    for (const name of [...node.subdirs]) {
      const child = path.join(dir, name);
      if (this.#rules.shouldPrune(child)) this.#unwatchTree(child, null);
    }
    const known = [...node.subdirs];
    for (const entry of this.#list(dir)) {
      const abs = path.join(dir, entry.name);
      if (entry.name === GIT_DIR || entryKind(entry, dir) !== 'dir' || this.#dirs.has(abs)) continue;
      if (this.#rules.shouldPrune(abs)) continue;
      const stats = lstatOrNull(abs);
      // Newly un-ignored files did not change; only their folders start being watched.
      if (stats?.isDirectory()) this.#scanSync(abs, stats.ino, null);
    }
    for (const name of known) this.#refreshSubtree(path.join(dir, name));
  }

  #list(dir: string) {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      this.#readFailed(err, dir);
      return [];
    }
  }

  // ---- roots --------------------------------------------------------------------------------

  /** Re-reads what a root is now and reports how it changed; `named` means an event named it. */
  #refreshRoot(root: Root, report: Report, named: boolean): void {
    const stats = lstatOrNull(root.path);
    const tree = this.#dirs.get(root.path);
    if (stats?.isDirectory()) {
      if (tree?.ino !== stats.ino) {
        if (tree) this.#unwatchTree(root.path, report);
        this.#scanSync(root.path, stats.ino, report);
      }
      root.kind = 'dir';
    } else if (stats) {
      if (tree) this.#unwatchTree(root.path, report);
      if ((named || root.kind !== 'file') && (stats.isFile() || stats.isSymbolicLink()))
        report.change(root.path);
      root.kind = 'file';
    } else {
      if (tree) this.#unwatchTree(root.path, report);
      else if (root.kind === 'file') report.delete(root.path);
      root.kind = 'missing';
    }
    this.#anchorRoot(root);
  }

  /** Watches the nearest existing folder above `root`, where its (re)appearance will show. */
  #anchorRoot(root: Root): void {
    for (let dir = path.dirname(root.path); ; dir = path.dirname(dir)) {
      const stats = lstatOrNull(dir);
      if (stats?.isDirectory()) {
        const current = this.#anchors.get(dir);
        if (root.anchor === dir && current?.ino === stats.ino) return;
        this.#detachRoot(root);
        const anchor = current?.ino === stats.ino ? current : this.#watchAnchor(dir, stats.ino);
        if (anchor) {
          anchor.roots.add(root);
          root.anchor = dir;
          return;
        }
      }
      if (dir === path.dirname(dir)) return;
    }
  }

  #watchAnchor(dir: string, ino: number): Anchor | undefined {
    if (this.#closed) return undefined;
    this.#anchors.get(dir)?.watcher.close();
    const anchor: Anchor = { watcher: undefined as unknown as FSWatcher, ino, roots: new Set() };
    try {
      anchor.watcher = watch(dir, { persistent: true }, (_type, name) =>
        this.#onAnchorEvent(dir, anchor, name),
      );
    } catch (err) {
      this.#watchFailed(err, dir);
      return undefined;
    }
    anchor.watcher.on('error', () => this.#onAnchorEvent(dir, anchor, null));
    this.#anchors.set(dir, anchor);
    return anchor;
  }

  #detachRoot(root: Root): void {
    const dir = root.anchor;
    root.anchor = undefined;
    const anchor = dir === undefined ? undefined : this.#anchors.get(dir);
    if (!anchor || dir === undefined) return;
    anchor.roots.delete(root);
    if (anchor.roots.size === 0) {
      anchor.watcher.close();
      this.#anchors.delete(dir);
    }
  }

  #onAnchorEvent(dir: string, anchor: Anchor, name: string | null, broken = false): void {
    if (this.#anchors.get(dir) !== anchor) return;
    const report = new Report(epochNow(), this.#rules);
    try {
      if (broken || ((name === null || name === path.basename(dir)) && this.#isGone(dir, anchor.ino))) {
        anchor.watcher.close();
        this.#anchors.delete(dir);
        for (const root of anchor.roots) {
          root.anchor = undefined;
          this.#refreshRoot(root, report, false);
        }
      } else {
        if (name !== null && this.#rules.isRulesFile(name) && this.#rules.reloadDir(dir))
          this.#refreshRules(dir);
        for (const root of [...anchor.roots]) {
          const next = path.relative(dir, root.path).split(path.sep)[0];
          if (name === null || name === next)
            this.#refreshRoot(root, report, path.dirname(root.path) === dir);
        }
      }
    } catch (err) {
      this.#fail(err);
    }
    this.#emit(report);
  }

  // ---- reporting and failures ------------------------------------------------------------------

  #emit(report: Report): void {
    if (report.changes.length === 0 || this.#closed) return;
    try {
      this.#options.onChanges(report.changes);
    } catch (err) {
      this.#fail(err);
    }
  }

  #watchFailed(err: unknown, dir: string): void {
    const failure = classifyWatchError(err, dir, this.#dirs.size);
    if (failure.kind === 'skip') this.#warn(failure.warning);
    else if (failure.kind === 'fatal') throw failure.error;
  }

  #readFailed(err: unknown, dir: string): void {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    if (code === 'EACCES' || code === 'EPERM')
      this.#warn(`cannot read ${dir}: permission denied; its files are not seen`);
    else throw err;
  }

  #fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!this.#started) {
      // An event handled while the roots are still being scanned: fail `ready` instead.
      this.#startupError ??= error;
      return;
    }
    const code = errorCode((error as { cause?: unknown }).cause);
    const isLimit = code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE';
    if (isLimit && this.#limitReported) return;
    if (isLimit) this.#limitReported = true;
    if (this.#options.onError) this.#options.onError(error);
    else this.#warn(error.message);
  }

  #warn(message: string): void {
    if (this.#options.onWarning) this.#options.onWarning(message);
    else process.emitWarning(message);
  }
}
