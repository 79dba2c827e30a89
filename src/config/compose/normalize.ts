// One Compose service as written → its long form, before files are merged: short forms that
// Compose treats as equivalent become one shape (`build: ./api` → `{context}`, lists of `K=V` →
// maps, `depends_on: [db]` → `{db: {condition: service_started}}`) so an override file can merge
// into either, and relative paths become absolute against the folder they are relative to (the
// project folder for every -f file, the file's own folder for `extends: {file}`).
import os from 'node:os';
import path from 'node:path';
import { builtList, builtMap, child, entries, isMap, items, type Node, withValue } from './located.js';

/** Build contexts that are not folders on this machine (Compose accepts git URLs). */
export const isRemoteContext = (context: string) => /^([a-z]+:\/\/|git@|github\.com\/)/i.test(context);

export function absolute(written: string, baseDir: string): string {
  const home = written === '~' || written.startsWith('~/') ? os.homedir() + written.slice(1) : written;
  return path.resolve(baseDir, home);
}

const isPathSource = (source: string) => /^(\.|\/|~)/.test(source);

/** `SOURCE:TARGET[:MODE]` with a host-path source made absolute; other forms unchanged. */
export function absoluteVolume(written: string, baseDir: string): string {
  const parts = written.split(':');
  if (parts.length < 2 || !isPathSource(parts[0]!)) return written;
  return [absolute(parts[0]!, baseDir), ...parts.slice(1)].join(':');
}

/** `["K=V", "K"]` → `{K: "V", K: null}`, each key keeping the place of its list item. */
function listToMap(node: Node): Node {
  if (!Array.isArray(node.value)) return node;
  const parts: [string, Node][] = items(node).map((item) => {
    const text = String(item.value);
    const eq = text.indexOf('=');
    return eq < 0 ? [text, withValue(item, null)] : [text.slice(0, eq), withValue(item, text.slice(eq + 1))];
  });
  return builtMap(node.where.origin, parts);
}

function stringToList(node: Node): Node {
  return typeof node.value === 'string' ? builtList(node.where.origin, [node]) : node;
}

type Rewrite = (node: Node, baseDir: string) => Node;

function mapEach(node: Node, rewrite: (key: string, part: Node) => Node | undefined): Node {
  if (!isMap(node.value)) return node;
  const parts: [string, Node][] = [];
  for (const [key, part] of entries(node)) {
    const next = rewrite(key, part);
    if (next) parts.push([key, next]);
  }
  return builtMap(node.where.origin, parts);
}

const build: Rewrite = (node, baseDir) => {
  const long = typeof node.value === 'string' ? builtMap(node.where.origin, [['context', node]]) : node;
  return mapEach(long, (key, part) => {
    if (key === 'context' && typeof part.value === 'string' && !isRemoteContext(part.value)) {
      return withValue(part, absolute(part.value, baseDir));
    }
    return key === 'args' ? listToMap(part) : part;
  });
};

const dependsOn: Rewrite = (node) => {
  if (!Array.isArray(node.value)) return node;
  const parts: [string, Node][] = items(node).map((item) => [
    String(item.value),
    builtMap(item.where.origin, [
      ['condition', withValue(item, 'service_started')],
      ['required', withValue(item, true)],
    ]),
  ]);
  return builtMap(node.where.origin, parts);
};

const networks: Rewrite = (node) => {
  if (!Array.isArray(node.value)) return node;
  return builtMap(
    node.where.origin,
    items(node).map((item) => [String(item.value), withValue(item, null)]),
  );
};

const envFile: Rewrite = (node, baseDir) => {
  const list = stringToList(node);
  if (!Array.isArray(list.value)) return list;
  return builtList(
    list.where.origin,
    items(list).map((item) => {
      if (typeof item.value === 'string') return withValue(item, absolute(item.value, baseDir));
      return mapEach(item, (key, part) =>
        key === 'path' && typeof part.value === 'string'
          ? withValue(part, absolute(part.value, baseDir))
          : part,
      );
    }),
  );
};

const extendsKey: Rewrite = (node, baseDir) => {
  const long = typeof node.value === 'string' ? builtMap(node.where.origin, [['service', node]]) : node;
  return mapEach(long, (key, part) =>
    key === 'file' && typeof part.value === 'string' ? withValue(part, absolute(part.value, baseDir)) : part,
  );
};

const volumes: Rewrite = (node, baseDir) => {
  if (!Array.isArray(node.value)) return node;
  return builtList(
    node.where.origin,
    items(node).map((item) => {
      if (typeof item.value === 'string') return withValue(item, absoluteVolume(item.value, baseDir));
      if (!isMap(item.value) || item.value.type !== 'bind') return item;
      return mapEach(item, (key, part) =>
        key === 'source' && typeof part.value === 'string'
          ? withValue(part, absolute(part.value, baseDir))
          : part,
      );
    }),
  );
};

/** `path` may be a list (one rule per path); paths become absolute; ignore/include become lists. */
const develop: Rewrite = (node, baseDir) =>
  mapEach(node, (key, watch) => {
    if (key !== 'watch' || !Array.isArray(watch.value)) return watch;
    const rules: Node[] = [];
    for (const rule of items(watch)) {
      const paths = child(rule, 'path');
      const each = paths && Array.isArray(paths.value) ? items(paths) : [paths];
      for (const one of each) {
        rules.push(
          mapEach(rule, (field, part) => {
            if (field === 'path' && one && typeof one.value === 'string') {
              return withValue(one, absolute(one.value, baseDir));
            }
            return field === 'ignore' || field === 'include' ? stringToList(part) : part;
          }),
        );
      }
    }
    return builtList(watch.where.origin, rules);
  });

const REWRITES: Record<string, Rewrite> = {
  build,
  environment: listToMap,
  labels: listToMap,
  annotations: listToMap,
  depends_on: dependsOn,
  networks,
  env_file: envFile,
  extends: extendsKey,
  volumes,
  develop,
};

export function normalizeService(service: Node, baseDir: string): Node {
  if (!isMap(service.value)) return service;
  return mapEach(service, (key, part) => REWRITES[key]?.(part, baseDir) ?? part);
}
