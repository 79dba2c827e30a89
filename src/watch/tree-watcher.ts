// Recursive watching on plain `fs.watch`: one non-recursive watch per folder (inotify on Linux),
// no timers, no polling and no per-file state. Reports a change the moment the kernel does;
// batching is the coalescer's job.
import { readdirSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { epochNow } from '../events.js';
import { FolderWatches, type WatchedDir } from './folder-watches.js';
import { minimalRoots } from './paths.js';
import { isReplaced, type Root, RootAnchors } from './root-anchors.js';
import {
  dirId,
  entryKind,
  lstatOrNull,
  NO_RULES,
  Report,
  type TreeRules,
  type TreeWatcher,
  type TreeWatcherOptions,
} from './tree-report.js';
import { errorCode } from './watch-errors.js';

export type { RawChange, TreeRules, TreeWatcher, TreeWatcherOptions } from './tree-report.js';

export function startTreeWatcher(options: TreeWatcherOptions): TreeWatcher {
  const tree = new Tree(options);
  return { ready: tree.ready, watchedDirs: () => tree.watchedDirs(), close: () => tree.close() };
}

// `.git` churns on every commit and is never part of a service; skip it before any rule runs.
const GIT_DIR = '.git';

class Tree {
  readonly ready: Promise<void>;
  readonly #dirs: FolderWatches;
  readonly #anchors: RootAnchors;
  readonly #roots: Root[];
  readonly #rules: TreeRules;
  readonly #options: TreeWatcherOptions;
  #closed = false;
  #started = false;
  #startupError: Error | undefined;
  #limitReported = false;

  constructor(options: TreeWatcherOptions) {
    this.#options = options;
    this.#rules = options.rules ?? NO_RULES;
    this.#dirs = new FolderWatches({
      onEvent: (dir, node, name) => this.#event((report) => this.#onDirEvent(dir, node, name, report)),
      onLost: (dir, node) => this.#event((report) => this.#onWatchLost(dir, node, report)),
      onWarning: (message) => this.#warn(message),
    });
    this.#anchors = new RootAnchors({
      onEvent: (dir, roots, name, gone) =>
        this.#event((report) => this.#onAnchorEvent(dir, roots, name, gone, report)),
      watchedDirs: () => this.#dirs.size,
    });
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
    this.#dirs.closeAll();
    this.#anchors.closeAll();
  }

  // ---- startup: watch everything, report nothing -------------------------------------------

  async #startRoot(root: Root): Promise<void> {
    const stats = await lstat(root.path).catch(() => null);
    if (this.#closed) return;
    root.kind = stats === null ? 'missing' : stats.isDirectory() ? 'dir' : 'file';
    // Anchor first, so a root deleted while it is being scanned is still seen.
    this.#anchors.attach(root);
    if (root.kind === 'missing') {
      this.#warn(`watch path ${root.path} does not exist yet; it is watched from when it appears`);
    } else if (stats?.isSymbolicLink()) {
      this.#warn(
        `watch path ${root.path} is a symlink; only the link itself is watched, list its target instead`,
      );
    } else if (this.#rules.isIgnored(root.path, root.kind === 'dir')) {
      this.#warn(
        `watch path ${root.path} is ignored (by an ignore file, the project's ignore or a build output)`,
      );
    }
    if (stats?.isDirectory()) await this.#scanInitial(root.path, dirId(stats));
  }

  async #scanInitial(dir: string, id: string): Promise<void> {
    const node = this.#watch(dir, id);
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
        if (!stats?.isDirectory() || this.#dirs.get(dir) !== node || this.#dirs.get(abs)) return;
        if (!this.#rules.shouldPrune(abs)) await this.#scanInitial(abs, dirId(stats));
      }),
    );
  }

  // ---- folder events -----------------------------------------------------------------------

  #onDirEvent(dir: string, node: WatchedDir, name: string | null, report: Report): void {
    if (this.#dirs.get(dir) !== node) return;
    if (name === null) this.#rescan(dir, report);
    else if (name !== path.basename(dir)) this.#onEntry(dir, name, report);
    // inotify names the watched folder itself in events about it (deleted, moved, chmod): only
    // a child of that name existing tells them apart. Known limit: deleting a *file* named like
    // its folder (`app/app`) looks like a chmod of the folder and is not reported.
    else if (isReplaced(dir, node.id)) this.#dirGone(dir, report);
    else if (lstatOrNull(path.join(dir, name))) this.#onEntry(dir, name, report);
  }

  #onEntry(dir: string, name: string, report: Report): void {
    if (name === GIT_DIR) return;
    if (this.#rules.isRulesFile(name) && this.#rules.reloadDir(dir)) this.#refreshRules(dir);
    const abs = path.join(dir, name);
    const stats = lstatOrNull(abs);
    const watched = this.#dirs.get(abs);
    if (stats?.isDirectory()) {
      if (watched?.id === dirId(stats)) return; // attribute change on a folder: noise
      if (watched) this.#unwatchTree(abs, report);
      if (!this.#rules.shouldPrune(abs)) this.#scanSync(abs, dirId(stats), report);
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
    for (const name of [...node.subdirs]) {
      if (!seen.has(name)) this.#unwatchTree(path.join(dir, name), report);
    }
  }

  // Its parent reports the same; a root has no watched parent, its anchor takes over.
  #dirGone(dir: string, report: Report): void {
    const root = this.#roots.find((r) => r.path === dir);
    if (root) this.#refreshRoot(root, report, false);
    else this.#unwatchTree(dir, report);
  }

  /** Re-watches a folder whose watch broke, reporting all of it: nothing tells what was missed. */
  #onWatchLost(dir: string, node: WatchedDir, report: Report): void {
    if (this.#dirs.get(dir) !== node) return;
    this.#unwatchTree(dir, report);
    const root = this.#roots.find((r) => r.path === dir);
    if (root) this.#refreshRoot(root, report, false);
    else if (this.#dirs.get(path.dirname(dir))) this.#onEntry(path.dirname(dir), path.basename(dir), report);
  }

  // ---- watching and unwatching folders ------------------------------------------------------

  /** Watches `dir` first, then lists it, so a file written in between is reported twice, not never. */
  #scanSync(dir: string, id: string, report: Report | null): void {
    if (!this.#watch(dir, id)) return;
    const entries = this.#list(dir);
    if (entries.some((e) => this.#rules.isRulesFile(e.name))) this.#rules.reloadDir(dir);
    for (const entry of entries) {
      if (entry.name === GIT_DIR) continue;
      const abs = path.join(dir, entry.name);
      const kind = entryKind(entry, dir);
      if (kind === 'file') {
        report?.change(abs);
      } else if (kind === 'dir' && !this.#dirs.get(abs) && !this.#rules.shouldPrune(abs)) {
        const stats = lstatOrNull(abs);
        if (stats?.isDirectory()) this.#scanSync(abs, dirId(stats), report);
      }
    }
  }

  #watch(dir: string, id: string): WatchedDir | undefined {
    return this.#closed ? undefined : this.#dirs.add(dir, id);
  }

  /** Stops watching `dir` and everything below it, and reports `dir` deleted. */
  #unwatchTree(dir: string, report: Report | null): void {
    if (!this.#dirs.removeTree(dir)) return;
    this.#rules.forgetTree(dir);
    // Reported even if ignored: it was watched, so something inside may have been visible.
    report?.deleteWatched(dir);
  }

  /** After a rules file changed in `dir`: unwatch what is now ignored, watch what no longer is. */
  #refreshRules(dir: string): void {
    if (this.#dirs.get(dir)) this.#refreshSubtree(dir);
    else for (const root of this.#roots) if (path.dirname(root.path) === dir) this.#refreshSubtree(root.path);
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
      if (entry.name === GIT_DIR || entryKind(entry, dir) !== 'dir' || this.#dirs.get(abs)) continue;
      if (this.#rules.shouldPrune(abs)) continue;
      const stats = lstatOrNull(abs);
      // Newly un-ignored files did not change; only their folders start being watched.
      if (stats?.isDirectory()) this.#scanSync(abs, dirId(stats), null);
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

  #onAnchorEvent(dir: string, roots: Root[], name: string | null, gone: boolean, report: Report): void {
    if (!gone && name !== null && this.#rules.isRulesFile(name) && this.#rules.reloadDir(dir)) {
      this.#refreshRules(dir);
    }
    for (const root of roots) {
      const next = path.relative(dir, root.path).split(path.sep)[0];
      if (gone || name === null || name === next) {
        this.#refreshRoot(root, report, !gone && path.dirname(root.path) === dir);
      }
    }
  }

  /** Re-reads what a root is now and reports how it changed; `named` means an event named it. */
  #refreshRoot(root: Root, report: Report, named: boolean): void {
    const stats = lstatOrNull(root.path);
    const tree = this.#dirs.get(root.path);
    if (stats?.isDirectory()) {
      if (tree?.id !== dirId(stats)) {
        if (tree) this.#unwatchTree(root.path, report);
        this.#scanSync(root.path, dirId(stats), report);
      }
      root.kind = 'dir';
    } else if (stats) {
      if (tree) this.#unwatchTree(root.path, report);
      const reportable = stats.isFile() || stats.isSymbolicLink();
      if (reportable && (named || root.kind !== 'file')) report.change(root.path);
      root.kind = 'file';
    } else {
      if (tree) this.#unwatchTree(root.path, report);
      else if (root.kind === 'file') report.delete(root.path);
      root.kind = 'missing';
    }
    this.#anchors.attach(root);
  }

  // ---- reporting and failures ------------------------------------------------------------------

  /** Runs one event's handling and reports what it found; failures go to `#fail`, never throw. */
  #event(handle: (report: Report) => void): void {
    if (this.#closed) return;
    const report = new Report(epochNow(), this.#rules);
    try {
      handle(report);
    } catch (err) {
      this.#fail(err);
    }
    if (report.changes.length === 0 || this.#closed) return;
    try {
      this.#options.onChanges(report.changes);
    } catch (err) {
      this.#fail(err);
    }
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
    const code = errorCode(error.cause);
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
