// The watcher a session runs: every service's watch paths, filtered by the project's ignore
// rules, coalesced into batches.
import type { Project } from '../model/project.js';
import type { ChangeBatch } from '../model/update.js';
import { Coalescer } from './coalescer.js';
import { IgnoreRules } from './ignore-rules.js';
import { minimalRoots } from './paths.js';
import { startTreeWatcher } from './tree-watcher.js';

export interface ProjectWatcherHandlers {
  onBatch(batch: ChangeBatch): void;
  onWarning(message: string): void;
  /** A failure after startup, such as hitting the inotify watch limit on a new folder. */
  onError(err: Error): void;
  /** Share the rules another part uses (the build input hasher) so both see rules-file edits. */
  rules?: IgnoreRules;
  /** Quiet time ending a burst of more than two paths. Default 50 ms. */
  burstSettleMs?: number;
}

export interface ProjectWatcher {
  /** Stops watching; a batch still settling is dropped. */
  close(): Promise<void>;
  watchedDirs(): number;
}

/** Resolves once every folder is watched; rejects with a PitstopError when that is impossible. */
export async function startProjectWatcher(
  project: Project,
  handlers: ProjectWatcherHandlers,
): Promise<ProjectWatcher> {
  const coalescer = new Coalescer({
    settleMs: project.settleMs,
    burstSettleMs: handlers.burstSettleMs,
    maxBatchMs: project.maxBatchMs,
    onBatch: (batch) => handlers.onBatch(batch),
  });
  const tree = startTreeWatcher({
    roots: minimalRoots(project.services.flatMap((service) => service.watch)),
    rules: handlers.rules ?? new IgnoreRules(project),
    onChanges: (changes) => coalescer.add(changes),
    onWarning: (message) => handlers.onWarning(message),
    onError: (err) => handlers.onError(err),
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
