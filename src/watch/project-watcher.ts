// The watcher a session runs: every service's watch paths, filtered by the project's ignore
// rules, coalesced into batches.
import type { Project } from '../model/project.js';
import type { ChangeBatch } from '../model/update.js';
import { Coalescer } from './coalescer.js';
import { IgnoreRules } from './ignore-rules.js';
import { minimalRoots } from './paths.js';
import { startTreeWatcher } from './tree-watcher.js';

export interface ProjectWatcherOptions {
  onBatch(batch: ChangeBatch): void;
  onWarning(message: string): void;
  /** A failure after startup (the inotify limit hit by a new folder, a throwing `onBatch`). */
  onError(err: Error): void;
  /** The rules another part uses (the build input hasher), so both see edits to ignore files. */
  rules?: IgnoreRules;
  /** Quiet time ending a batch of more than two paths. Default 50 ms. */
  burstSettleMs?: number;
}

export interface ProjectWatcher {
  /** Stops watching; a batch still settling is dropped. */
  close(): Promise<void>;
  /** Folders watched, for diagnostics and tests. */
  watchedDirs(): number;
}

/** Resolves once every folder is watched; rejects with a PitstopError when that is impossible. */
export async function startProjectWatcher(
  project: Project,
  options: ProjectWatcherOptions,
): Promise<ProjectWatcher> {
  const coalescer = new Coalescer({
    settleMs: project.settleMs,
    burstSettleMs: options.burstSettleMs,
    maxBatchMs: project.maxBatchMs,
    onBatch: (batch) => {
      try {
        options.onBatch(batch);
      } catch (err) {
        options.onError(err instanceof Error ? err : new Error(String(err)));
      }
    },
  });
  const tree = startTreeWatcher({
    roots: minimalRoots(project.services.flatMap((service) => service.watch)),
    rules: options.rules ?? new IgnoreRules(project),
    onChanges: (changes) => coalescer.add(changes),
    onWarning: (message) => options.onWarning(message),
    onError: (err) => options.onError(err),
  });
  try {
    await tree.ready;
  } catch (err) {
    coalescer.dispose();
    throw err;
  }
  return {
    async close() {
      tree.close();
      coalescer.dispose();
    },
    watchedDirs: () => tree.watchedDirs(),
  };
}
