// Compose's merge rules, used for override files (-f a -f b, compose.override.yaml) and for
// `extends`: maps merge key by key, lists append, `command`, `entrypoint` and `healthcheck.test`
// are replaced, `ports` append without duplicates, `volumes` are unique by their target. In the
// overriding file, `!reset` removes what came before and `!override` replaces it.
import { builtList, builtMap, entries, isMap, items, type Node, type Where } from './located.js';
import type { MergeTag } from './tags.js';

/** The merge tag written on a node of the overriding side, if any. */
export type TagOf = (where: Where) => MergeTag | undefined;

const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);

/** The container path of a volume entry: what makes it unique. */
function volumeTarget(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const parts = value.split(':');
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return isMap(value) && typeof value.target === 'string' ? value.target : undefined;
}

function appendList(base: Node, over: Node, key: string): Node {
  const merged = items(base);
  for (const item of items(over)) {
    if (key === 'ports') {
      const same = JSON.stringify(item.value);
      if (merged.some((m) => JSON.stringify(m.value) === same)) continue;
    }
    if (key === 'volumes') {
      const target = volumeTarget(item.value);
      const i = target === undefined ? -1 : merged.findIndex((m) => volumeTarget(m.value) === target);
      if (i >= 0) {
        merged[i] = item;
        continue;
      }
    }
    merged.push(item);
  }
  return builtList(over.where.origin, merged);
}

/** `over` merged onto `base` at key path `at` (dotted, within a service); undefined: removed. */
export function mergeNodes(base: Node | undefined, over: Node, at: string, tagOf: TagOf): Node | undefined {
  const tag = tagOf(over.where);
  if (tag === 'reset') return undefined;
  if (tag === 'override' || base === undefined || REPLACED.has(at)) return clean(over, tagOf);
  if (isMap(base.value) && isMap(over.value)) return mergeMaps(base, over, at, tagOf);
  if (Array.isArray(base.value) && Array.isArray(over.value)) {
    return appendList(base, clean(over, tagOf) ?? over, at.replace(/^.*\./, ''));
  }
  return clean(over, tagOf);
}

export function mergeMaps(base: Node, over: Node, at: string, tagOf: TagOf): Node {
  const parts = new Map(entries(base));
  for (const [key, part] of entries(over)) {
    const merged = mergeNodes(parts.get(key), part, at ? `${at}.${key}` : key, tagOf);
    if (merged === undefined) parts.delete(key);
    else parts.set(key, merged);
  }
  return builtMap(over.where.origin, parts);
}

/** A node from one file with its `!reset` parts removed (nothing to reset them against). */
function clean(node: Node, tagOf: TagOf): Node | undefined {
  if (tagOf(node.where) === 'reset') return undefined;
  if (!isMap(node.value)) return node;
  let changed = false;
  const parts = entries(node).flatMap(([key, part]): [string, Node][] => {
    const kept = clean(part, tagOf);
    if (kept !== part) changed = true;
    return kept ? [[key, kept]] : [];
  });
  return changed ? builtMap(node.where.origin, parts) : node;
}
