// The project file as YAML: its data, its syntax errors, and where each key and value was
// written, so every issue (and every runtime error) can point at a line and column.
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { SourceLocation } from '../model/project.js';
import type { ConfigIssue } from './config-error.js';
import { formatPath } from './issues.js';

export type KeyPath = ReadonlyArray<string | number>;

interface Position {
  line: number;
  col: number;
}

interface Entry {
  path: KeyPath;
  key?: Position;
  /** Absent when the key has no value written (`run:`). */
  value?: Position;
}

export interface YamlSource {
  file: string;
  text: string;
  /** Plain data (merge keys applied); undefined when the file has syntax errors. */
  data: unknown;
  syntaxIssues: ConfigIssue[];
  /** Where to point for an issue about `path`; falls back to the nearest ancestor that was written. */
  position(path: KeyPath, at: 'key' | 'value'): Position;
  /** The value node at `path` (the key when there is no value), or the nearest written ancestor. */
  locate(path: KeyPath): SourceLocation | undefined;
}

/** Paths as index keys; numbers and strings collide harmlessly since a node is a map or a list. */
const pathKey = (path: KeyPath): string => path.map(String).join('\u0000');

// Aliases can point at an ancestor, and nested aliases multiply ("billion laughs"): bound the
// walk in depth and in size, far beyond any real project file.
const MAX_DEPTH = 100;
const MAX_ENTRIES = 100_000;

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key) || key.type !== 'PLAIN') return false;
  const value: unknown = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function keyName(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function buildIndex(doc: Document, lineCounter: LineCounter): Map<string, Entry> {
  const index = new Map<string, Entry>();
  const at = (node: Node | null | undefined): Position | undefined => {
    if (!node?.range) return undefined;
    // `key:` with nothing after it parses as an empty null scalar; treat it as no value.
    if (isScalar(node) && node.value === null && node.range[0] === node.range[1]) return undefined;
    return lineCounter.linePos(node.range[0]);
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  const walk = (raw: unknown, path: (string | number)[], depth: number): void => {
    const node = resolve(raw);
    if (depth > MAX_DEPTH || index.size > MAX_ENTRIES) return;
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        index.set(pathKey([...path, i]), { path: [...path, i], value: at(item as Node) });
        walk(item, [...path, i], depth + 1);
      });
      return;
    }
    if (!isMap(node)) return;
    const seen = new Set<string>();
    const mergeSources: unknown[] = [];
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) {
        const source = resolve(pair.value);
        mergeSources.push(...(isSeq(source) ? source.items : [source]));
        continue;
      }
      const name = keyName(pair.key);
      seen.add(name);
      index.set(pathKey([...path, name]), {
        path: [...path, name],
        key: at(pair.key as Node),
        value: at(pair.value as Node),
      });
      walk(pair.value, [...path, name], depth + 1);
    }
    // Merged keys count only where the map does not set them itself, and earlier sources win.
    for (const source of mergeSources) {
      const map = resolve(source);
      if (!isMap(map)) continue;
      for (const pair of map.items) {
        const name = keyName(pair.key);
        if (isMergeKey(pair.key) || seen.has(name)) continue;
        seen.add(name);
        index.set(pathKey([...path, name]), {
          path: [...path, name],
          key: at(pair.key as Node),
          value: at(pair.value as Node),
        });
        walk(pair.value, [...path, name], depth + 1);
      }
    }
  };

  const root = doc.contents as Node | null;
  index.set('', { path: [], value: at(root) ?? { line: 1, col: 1 } });
  walk(root, [], 0);
  return index;
}

/** The first line of a YAML error message; positions are reported separately. */
function shortMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/; please use YAML\.parseAllDocuments\(\)/, '');
}

/** The key written last at or before a position: the key a syntax error is most likely about. */
function keyBefore(index: Map<string, Entry>, pos: Position): KeyPath {
  const notAfter = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.col <= b.col);
  let best: { path: KeyPath; at: Position } | undefined;
  for (const entry of index.values()) {
    if (!entry.key || !notAfter(entry.key, pos)) continue;
    if (!best || notAfter(best.at, entry.key)) best = { path: entry.path, at: entry.key };
  }
  return best?.path ?? [];
}

const SYNTAX_HINT = 'check the brackets, quotes, colons and indentation on this line and the one above';

export function parseYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const index = buildIndex(doc, lineCounter);
  const syntaxIssues: ConfigIssue[] = doc.errors.map((err) => {
    const pos = lineCounter.linePos(err.pos[0]);
    const issue: ConfigIssue = {
      file,
      line: pos.line,
      col: pos.col,
      path: formatPath(keyBefore(index, pos)),
      message: shortMessage(err.message),
      hint: SYNTAX_HINT,
    };
    if (err.code === 'DUPLICATE_KEY') {
      issue.message = 'duplicate key: this key is already set in the same map';
      issue.hint = 'remove one of the two, or merge them';
    }
    if (err.code === 'TAB_AS_INDENT')
      issue.hint = 'indent with spaces: YAML does not allow tabs for indentation';
    return issue;
  });

  let data: unknown;
  if (syntaxIssues.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      syntaxIssues.push({ file, line: 1, col: 1, path: '', message: (err as Error).message });
    }
  }

  const nearest = (path: KeyPath): { entry: Entry; exact: boolean } => {
    for (let n = path.length; n >= 0; n--) {
      const entry = index.get(pathKey(path.slice(0, n)));
      if (entry) return { entry, exact: n === path.length };
    }
    return { entry: index.get('')!, exact: false };
  };

  return {
    file,
    text,
    data,
    syntaxIssues,
    position(path, at) {
      const { entry, exact } = nearest(path);
      // Something missing under an ancestor is best shown at the ancestor's key line.
      const preferKey = at === 'key' || !exact;
      const pos = (preferKey ? (entry.key ?? entry.value) : (entry.value ?? entry.key)) ?? {
        line: 1,
        col: 1,
      };
      return { line: pos.line, col: pos.col };
    },
    locate(path) {
      const { entry } = nearest(path);
      const pos = entry.value ?? entry.key;
      return pos ? { file, line: pos.line, col: pos.col } : undefined;
    },
  };
}
