// `report` and `advise` read the history database directly (no session needs to run); a problem
// with it is a warning on stderr and in --json, never a failure.

import type { HistoryStore } from '../history/types.js';
import type { Project } from '../model/project.js';

export async function openHistoryForCli(
  project: Project,
): Promise<{ store: HistoryStore; warnings: string[] }> {
  const { openHistory } = await import('../history/sqlite-store.js');
  const warnings: string[] = [];
  const store = openHistory({
    stateDir: project.stateDir,
    project: project.name,
    onProblem: (message) => {
      warnings.push(message);
      process.stderr.write(`warning: ${message}\n`);
    },
  });
  return { store, warnings };
}
