// Which service a change is for: the watcher sees the whole project, each service only the
// changes under its own watch paths that its own `ignore` patterns leave.
import path from 'node:path';
import type { Project, Service } from '../model/project.js';
import type { FileChange } from '../model/update.js';
import { GitRules } from './folder-rules.js';
import { isInside } from './paths.js';

// Services live as long as the project; keyed weakly so a reloaded project drops its matchers.
const matchers = new WeakMap<Service, GitRules | null>();

/** For each service with at least one change for it, its changes in batch order. */
export function routeChanges(project: Project, changes: readonly FileChange[]): Map<string, FileChange[]> {
  const routed = new Map<string, FileChange[]>();
  for (const service of project.services) {
    const mine = changes.filter((change) => isForService(service, change));
    if (mine.length > 0) routed.set(service.name, mine);
  }
  return routed;
}

function isForService(service: Service, change: FileChange): boolean {
  const watched = service.watch.some(
    (watch) => isInside(change.path, watch) || (change.kind === 'delete' && isInside(watch, change.path)),
  );
  return watched && !isIgnoredBy(service, change);
}

function isIgnoredBy(service: Service, change: FileChange): boolean {
  const rules = matcherFor(service);
  // Patterns are relative to the service folder; they cannot name anything outside it.
  if (!rules || !isInside(change.path, service.dir) || change.path === service.dir) return false;
  const rel = path.relative(service.dir, change.path).split(path.sep).join('/');
  // A deleted path may have been a folder, and `dir/` patterns only match folders.
  return rules.test(rel).ignored || (change.kind === 'delete' && rules.test(`${rel}/`).ignored);
}

function matcherFor(service: Service): GitRules | null {
  let rules = matchers.get(service);
  if (rules === undefined) {
    rules = service.ignore.length > 0 ? new GitRules(service.ignore.join('\n')) : null;
    matchers.set(service, rules);
  }
  return rules;
}
