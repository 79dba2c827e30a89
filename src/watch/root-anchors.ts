// A root (a watch path) can be deleted, replaced or not exist yet. Its own watch cannot see it
// come back, so the nearest existing folder above it is watched too: its "anchor".
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import { dirId, lstatOrNull } from './tree-report.js';
import { classifyWatchError } from './watch-errors.js';

export interface Root {
  path: string;
  kind: 'dir' | 'file' | 'missing';
  /** The anchor folder: the root's parent when it exists. */
  anchor?: string;
}

interface Anchor {
  watcher: FSWatcher;
  id: string;
  roots: Set<Root>;
}

export interface AnchorHandlers {
  /**
   * An event in anchor folder `dir`, for the roots anchored there. `gone`: the anchor folder
   * itself went away or its watch broke; the roots are detached and must be re-anchored.
   */
  onEvent(dir: string, roots: Root[], name: string | null, gone: boolean): void;
  /** For the limit error message. */
  watchedDirs(): number;
}

export class RootAnchors {
  readonly #anchors = new Map<string, Anchor>();
  constructor(private readonly handlers: AnchorHandlers) {}

  /** Anchors `root` at the nearest existing folder above it (no-op if already there). */
  attach(root: Root): void {
    for (let dir = path.dirname(root.path); ; dir = path.dirname(dir)) {
      const stats = lstatOrNull(dir);
      if (stats?.isDirectory()) {
        const current = this.#anchors.get(dir);
        if (root.anchor === dir && current?.id === dirId(stats)) return;
        this.detach(root);
        const anchor = current?.id === dirId(stats) ? current : this.#watch(dir, dirId(stats));
        if (anchor) {
          anchor.roots.add(root);
          root.anchor = dir;
          return;
        }
      }
      if (dir === path.dirname(dir)) return;
    }
  }

  detach(root: Root): void {
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

  closeAll(): void {
    for (const anchor of this.#anchors.values()) anchor.watcher.close();
    this.#anchors.clear();
  }

  #watch(dir: string, id: string): Anchor | undefined {
    const anchor: Anchor = { watcher: undefined as unknown as FSWatcher, id, roots: new Set() };
    try {
      anchor.watcher = watch(dir, { persistent: true }, (_type, name) =>
        this.#onEvent(dir, anchor, name, false),
      );
    } catch (err) {
      // An unreadable parent (above a home folder, say) is no reason to warn: the root's own
      // watch still reports its deletion, only a re-creation goes unseen.
      const failure = classifyWatchError(err, dir, this.handlers.watchedDirs());
      if (failure.kind === 'fatal') throw failure.error;
      return undefined;
    }
    anchor.watcher.on('error', () => this.#onEvent(dir, anchor, null, true));
    // The folder was replaced: roots still anchored to the old one move over.
    const previous = this.#anchors.get(dir);
    if (previous) {
      previous.watcher.close();
      for (const root of previous.roots) anchor.roots.add(root);
    }
    this.#anchors.set(dir, anchor);
    return anchor;
  }

  #onEvent(dir: string, anchor: Anchor, name: string | null, broken: boolean): void {
    if (this.#anchors.get(dir) !== anchor) return;
    const roots = [...anchor.roots];
    const gone = broken || ((name === null || name === path.basename(dir)) && isReplaced(dir, anchor.id));
    if (gone) {
      anchor.watcher.close();
      this.#anchors.delete(dir);
      for (const root of roots) root.anchor = undefined;
    }
    this.handlers.onEvent(dir, roots, name, gone);
  }
}

/** The folder at `dir` is gone or is not the one that was watched. */
export function isReplaced(dir: string, id: string): boolean {
  const stats = lstatOrNull(dir);
  return !stats?.isDirectory() || dirId(stats) !== id;
}
