import type { Project } from '../../model/project.js';
import { ProcessRegistry } from '../../proc/registry.js';
import { LocalRuntime } from './local-runtime.js';

export { LocalRuntime, type LocalRuntimeOptions } from './local-runtime.js';

/** Pass the session's one registry when other parts (builds, commands) record processes too. */
export function createLocalRuntime(
  project: Project,
  registry: ProcessRegistry = new ProcessRegistry(project.stateDir),
): LocalRuntime {
  return new LocalRuntime({
    stateDir: project.stateDir,
    registry,
    locate: (path) => project.locate(path),
  });
}
