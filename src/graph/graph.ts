// The dependency graph between services (from depends_on): start order, cycles, and which
// services an operation on some of them also involves. Pure functions over the service list.
import { didYouMean } from '../config/did-you-mean.js';
import { PitstopError } from '../errors.js';
import type { Service } from '../model/project.js';

/** All the graph needs of a service; a full Service fits. */
export type GraphNode = Pick<Service, 'name' | 'dependsOn'>;

function byName(services: readonly GraphNode[]): Map<string, GraphNode> {
  return new Map(services.map((s) => [s.name, s]));
}

/**
 * A dependency cycle as the path that closes it, e.g. ['a', 'b', 'a'] when a depends on b and b
 * on a; undefined when there is none. Dependencies on unknown services are ignored.
 */
export function findCycle(services: readonly GraphNode[]): string[] | undefined {
  const nodes = byName(services);
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();

  const visit = (name: string): string[] | undefined => {
    if (onStack.has(name)) return [...stack.slice(stack.indexOf(name)), name];
    if (done.has(name)) return undefined;
    const node = nodes.get(name);
    if (!node) return undefined;
    stack.push(name);
    onStack.add(name);
    for (const dep of node.dependsOn) {
      const cycle = visit(dep.service);
      if (cycle) return cycle;
    }
    stack.pop();
    onStack.delete(name);
    done.add(name);
    return undefined;
  };

  for (const service of services) {
    const cycle = visit(service.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Services in levels: every service's dependencies are in earlier levels, so a level can start
 * all at once. Within a level, file order. Throws on a cycle (loadProject rejects those).
 */
export function startOrder(services: readonly GraphNode[]): string[][] {
  const known = byName(services);
  const placed = new Set<string>();
  const levels: string[][] = [];
  let remaining = [...services];
  while (remaining.length > 0) {
    const level = remaining.filter((s) =>
      s.dependsOn.every((d) => placed.has(d.service) || !known.has(d.service)),
    );
    if (level.length === 0) {
      throw new Error(`dependency cycle: ${(findCycle(remaining) ?? []).join(' → ')}`);
    }
    for (const s of level) placed.add(s.name);
    levels.push(level.map((s) => s.name));
    remaining = remaining.filter((s) => !placed.has(s.name));
  }
  return levels;
}

/** Services that depend directly on `name`, in file order. */
export function dependentsOf(services: readonly GraphNode[], name: string): string[] {
  return services.filter((s) => s.dependsOn.some((d) => d.service === name)).map((s) => s.name);
}

/**
 * `names` plus everything they depend on, directly or not, in file order. An unknown name is a
 * usage error (exit code 2), with a suggestion.
 */
export function withDependencies(services: readonly GraphNode[], names: readonly string[]): string[] {
  const nodes = byName(services);
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    const node = nodes.get(name);
    if (!node) return;
    wanted.add(name);
    for (const dep of node.dependsOn) add(dep.service);
  };
  for (const name of names) {
    if (!nodes.has(name)) {
      const all = [...nodes.keys()];
      throw new PitstopError(`no service named "${name}"`, {
        hint: didYouMean(name, all) ?? `the services are: ${all.join(', ')}`,
        exitCode: 2,
      });
    }
    add(name);
  }
  return services.filter((s) => wanted.has(s.name)).map((s) => s.name);
}
