// The set of folders with a watch of their own: one non-recursive `fs.watch` each (one inotify
// watch on Linux), kept as a tree of names so a deleted subtree closes without a full scan.
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import { classifyWatchError } from './watch-errors.js';

export interface WatchedDir {
  watcher: FSWatcher;
  /** `dirId`: tells a folder deleted and re-created between two events from the watched one. */
  id: string;
  /** Names of the watched folders directly inside. */
  subdirs: Set<string>;
}

export interface FolderWatchHandlers {
  /** A raw event; `name` is a direct child, or the folder's own name for events about itself. */
  onEvent(dir: string, node: WatchedDir, name: string | null): void;
  /** Node closed the watch after an error. */
  onLost(dir: string, node: WatchedDir): void;
  onWarning(message: string): void;
}

export class FolderWatches {
  readonly #dirs = new Map<string, WatchedDir>();
  constructor(private readonly handlers: FolderWatchHandlers) {}

  get size(): number {
    return this.#dirs.size;
  }

  get(dir: string): WatchedDir | undefined {
    return this.#dirs.get(dir);
  }

  /**
   * Starts watching `dir`; undefined when it vanished or is unreadable (with a warning). Throws
   * a PitstopError when a system limit is reached.
   */
  add(dir: string, id: string): WatchedDir | undefined {
    const node: WatchedDir = { watcher: undefined as unknown as FSWatcher, id, subdirs: new Set() };
    try {
      node.watcher = watch(dir, { persistent: true }, (_type, name) =>
        this.handlers.onEvent(dir, node, name),
      );
    } catch (err) {
      const failure = classifyWatchError(err, dir, this.#dirs.size);
      if (failure.kind === 'fatal') throw failure.error;
      if (failure.kind === 'skip') this.handlers.onWarning(failure.warning);
      return undefined;
    }
    node.watcher.on('error', () => this.handlers.onLost(dir, node));
    this.#dirs.set(dir, node);
    this.#dirs.get(path.dirname(dir))?.subdirs.add(path.basename(dir));
    return node;
  }

  /** Closes the watches of `dir` and everything below it; false if `dir` was not watched. */
  removeTree(dir: string): boolean {
    const node = this.#dirs.get(dir);
    if (!node) return false;
    this.#close(dir, node);
    this.#dirs.get(path.dirname(dir))?.subdirs.delete(path.basename(dir));
    return true;
  }

  closeAll(): void {
    for (const node of this.#dirs.values()) node.watcher.close();
    this.#dirs.clear();
  }

  #close(dir: string, node: WatchedDir): void {
    for (const name of node.subdirs) {
      const child = path.join(dir, name);
      const childNode = this.#dirs.get(child);
      if (childNode) this.#close(child, childNode);
    }
    node.watcher.close();
    this.#dirs.delete(dir);
  }
}
