// Compose values keep track of where each part was written. A service is assembled from several
// places (override files, `extends` in other files, short forms rewritten to long ones), so a
// plain key path is not enough: each node carries a tree that maps its parts back to a file and a
// key path in that file, and every issue or warning points at what the user actually wrote.
import type { KeyPath, YamlSource } from '../yaml-source.js';

/** A place in one file: the YAML source and the key path in it. */
export interface Origin {
  source: YamlSource;
  path: KeyPath;
}

export type Where =
  /** The whole subtree was written at one place, as it is. */
  | { kind: 'file'; origin: Origin }
  /** Assembled (merged, rewritten): the node itself is reported at `origin`, its parts by key. */
  | { kind: 'built'; origin: Origin; children: Map<string | number, Where> };

/** A value with the record of where its parts were written. */
export interface Node {
  value: unknown;
  where: Where;
}

export const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function fileWhere(source: YamlSource, path: KeyPath): Where {
  return { kind: 'file', origin: { source, path } };
}

/** Where a part of a node was written; a part nobody recorded is reported at its nearest parent. */
export function whereOf(where: Where, key: string | number): Where {
  if (where.kind === 'file') return fileWhere(where.origin.source, [...where.origin.path, key]);
  const child = where.children.get(key);
  // Extending the parent's path keeps the nearest-written-ancestor fallback of yaml-source.
  return child ?? fileWhere(where.origin.source, [...where.origin.path, key]);
}

export function locate(where: Where, rel: KeyPath = []): Origin {
  let at = where;
  for (const key of rel) at = whereOf(at, key);
  return at.origin;
}

/** A part of a map or list node, or undefined when it is not there. */
export function child(node: Node, key: string | number): Node | undefined {
  const value = node.value;
  if (Array.isArray(value) && typeof key === 'number') {
    return key < value.length ? { value: value[key], where: whereOf(node.where, key) } : undefined;
  }
  if (isMap(value) && typeof key === 'string' && Object.hasOwn(value, key)) {
    return { value: value[key], where: whereOf(node.where, key) };
  }
  return undefined;
}

/** The entries of a map node, each with its own where. */
export function entries(node: Node): [string, Node][] {
  if (!isMap(node.value)) return [];
  return Object.keys(node.value).map((key) => [key, child(node, key)!]);
}

/** The items of a list node, each with its own where. */
export function items(node: Node): Node[] {
  if (!Array.isArray(node.value)) return [];
  return node.value.map((_, i) => child(node, i)!);
}

/** A map node assembled from parts, reported as a whole at `origin`. */
export function builtMap(origin: Origin, parts: Iterable<[string, Node]>): Node {
  const value: Record<string, unknown> = {};
  const children = new Map<string | number, Where>();
  for (const [key, part] of parts) {
    value[key] = part.value;
    children.set(key, part.where);
  }
  return { value, where: { kind: 'built', origin, children } };
}

/** A list node assembled from parts, reported as a whole at `origin`. */
export function builtList(origin: Origin, parts: readonly Node[]): Node {
  const children = new Map<string | number, Where>();
  parts.forEach((part, i) => {
    children.set(i, part.where);
  });
  return { value: parts.map((p) => p.value), where: { kind: 'built', origin, children } };
}

/** The same node with another value (a rewritten scalar keeps its place). */
export function withValue(node: Node, value: unknown): Node {
  return { value, where: node.where };
}
