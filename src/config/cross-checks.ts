// Checks that need every service at once: depends_on targets, cycles, and ports claimed twice.
import { findCycle, type GraphNode } from '../graph/graph.js';
import { didYouMean } from './did-you-mean.js';
import type { IssueList } from './issues.js';
import type { DependencyRef, ResolvedService } from './resolve-service.js';

/**
 * Reports bad depends_on entries and returns, per service, the entries that are fine to build
 * the graph from. `allNames` includes services that failed validation, so they are not "unknown".
 */
function checkTargets(resolved: readonly ResolvedService[], allNames: readonly string[], issues: IssueList) {
  const usable = new Map<string, DependencyRef[]>();
  for (const { service, dependencies } of resolved) {
    const seen = new Set<string>();
    const ok: DependencyRef[] = [];
    for (const ref of dependencies) {
      const target = ref.dependency.service;
      if (target === service.name) {
        issues.add(ref.path, `service "${target}" depends on itself`, {
          at: ref.at,
          hint: 'remove this entry',
        });
      } else if (!allNames.includes(target)) {
        issues.add(ref.path, `unknown service "${target}"`, {
          at: ref.at,
          hint: didYouMean(target, allNames) ?? `the services are: ${allNames.join(', ')}`,
        });
      } else if (seen.has(target)) {
        issues.add(ref.path, `"${target}" is listed twice`, { at: ref.at, hint: 'remove one of them' });
      } else {
        seen.add(target);
        ok.push(ref);
      }
    }
    usable.set(service.name, ok);
  }
  return usable;
}

/** Every cycle, each reported once at the depends_on entry that closes it. */
function checkCycles(usable: Map<string, DependencyRef[]>, issues: IssueList): void {
  const nodes: GraphNode[] = [...usable].map(([name, refs]) => ({
    name,
    dependsOn: refs.map((r) => r.dependency),
  }));
  // Dropping the closing edge after reporting a cycle lets the next search find the next cycle.
  for (let guard = 0; guard < 1000; guard++) {
    const cycle = findCycle(nodes);
    if (!cycle) return;
    const from = cycle.at(-2)!;
    const to = cycle.at(-1)!;
    const ref = usable.get(from)?.find((r) => r.dependency.service === to);
    if (ref) {
      issues.add(ref.path, `dependency cycle: ${cycle.join(' → ')}`, {
        at: ref.at,
        hint: 'remove one of the depends_on entries in this cycle',
      });
    }
    const node = nodes.find((n) => n.name === from)!;
    node.dependsOn = node.dependsOn.filter((d) => d.service !== to);
  }
}

function checkPorts(resolved: readonly ResolvedService[], issues: IssueList): void {
  const owner = new Map<number, string>();
  for (const { service, ports } of resolved) {
    for (const { port, path } of ports) {
      const first = owner.get(port);
      if (first === undefined) {
        owner.set(port, service.name);
      } else if (first === service.name) {
        issues.add(path, `port ${port} is listed twice`, { hint: 'remove one of them' });
      } else {
        issues.add(path, `port ${port} is already declared by service "${first}"`, {
          hint: 'two services cannot listen on the same port',
        });
      }
    }
  }
}

export function checkServices(
  resolved: readonly ResolvedService[],
  allNames: readonly string[],
  issues: IssueList,
) {
  checkCycles(checkTargets(resolved, allNames, issues), issues);
  checkPorts(resolved, issues);
}
