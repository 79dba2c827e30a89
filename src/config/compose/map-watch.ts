// `develop.watch` → pitstop live updates. Each rule's `path` is watched (Compose watches only
// those); `sync` → a sync rule (`ignore`/`include` narrow it, `initial_sync` syncs everything at
// start); `sync+restart` → sync, then restart the process (Compose restarts the container; a
// process restart keeps the container, its network and its other files, and is faster);
// `sync+exec` → sync, then run `exec.command` in the container when this rule's files changed;
// `restart` → restart the process when its files change (recorded as running `true` in the
// container, the planner's way to say "this change is handled"); `rebuild` → a change there
// rebuilds the image and replaces the container (any file no rule covers does that too).
// `ignore` patterns are .dockerignore-style, relative to the rule's path, as in Compose.
import path from 'node:path';
import createIgnore from 'ignore';
import type { LiveUpdateRule } from '../../model/project.js';
import { suggest } from '../did-you-mean.js';
import { displayPath } from '../render.js';
import { statOrUndefined } from '../stat.js';
import { describeInput } from '../zod-issues.js';
import { UNSUPPORTED_WATCH_EXEC_KEYS, WATCH_ACTIONS, WATCH_EXEC_KEYS, WATCH_KEYS } from './keys.js';
import { child, isMap, items, type Node } from './located.js';
import type { ServiceScope } from './scope.js';
import { splitWords } from './shell-words.js';

export interface MappedWatch {
  watch: string[];
  /** gitignore-style, relative to the project folder. */
  ignore: string[];
  liveUpdate: LiveUpdateRule[];
  /** Globs relative to the project folder. */
  fallBackOn: string[];
}

interface Rule {
  index: number;
  path: string;
  rel: string;
  action: (typeof WATCH_ACTIONS)[number];
  ignore: string[];
  include: string[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');
const isInside = (parent: string, child: string) =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/** A .dockerignore pattern relative to `base` (posix, '' for the root) → an anchored gitignore pattern. */
export function anchored(pattern: string, base: string): string {
  const negated = pattern.startsWith('!');
  const body = (negated ? pattern.slice(1) : pattern).replace(/^\/+/, '');
  return `${negated ? '!' : ''}/${base ? `${base}/` : ''}${body}`;
}

/** Changes under a rule's path, as a glob relative to the project folder. */
function globOf(rule: Rule): string {
  if (!statOrUndefined(rule.path)?.isDirectory()) return rule.rel;
  return rule.rel ? `${rule.rel}/**` : '**';
}

function readRule(scope: ServiceScope, node: Node, index: number): Rule | undefined {
  const rel = ['develop', 'watch', index];
  if (!isMap(node.value)) {
    scope.error(rel, `expected a map with "path" and "action", got ${describeInput(node.value)}`);
    return undefined;
  }
  scope.checkKeys(node, rel, WATCH_KEYS);
  const where = scope.text(child(node, 'path'), [...rel, 'path']);
  const action = scope.text(child(node, 'action'), [...rel, 'action']);
  if (where === undefined || action === undefined) {
    const missing = where === undefined ? 'path' : 'action';
    scope.error(rel, `missing required key "${missing}"`, {
      at: 'key',
      hint: 'e.g. { path: ./src, action: sync, target: /app/src }',
    });
    return undefined;
  }
  if (!(WATCH_ACTIONS as readonly string[]).includes(action)) {
    const meant = suggest(action, WATCH_ACTIONS);
    scope.error([...rel, 'action'], `unknown watch action "${action}"`, {
      hint: meant ? `did you mean "${meant}"?` : `use one of: ${WATCH_ACTIONS.join(', ')}`,
    });
    return undefined;
  }
  const root = scope.ctx.root;
  if (!isInside(root, where)) {
    scope.error(
      [...rel, 'path'],
      `the watch path ${displayPath(where)} is outside the project folder ${displayPath(root)}`,
      {
        hint: 'pitstop watches files of the project: watch paths are relative to the Compose file and stay inside its folder',
      },
    );
    return undefined;
  }
  if (!statOrUndefined(where)) {
    scope.error([...rel, 'path'], `no such file or directory ${displayPath(where)}`, {
      hint: 'watch paths are relative to the Compose file',
    });
    return undefined;
  }
  return {
    index,
    path: where,
    rel: toPosix(path.relative(root, where)),
    action: action as Rule['action'],
    ignore: scope.texts(child(node, 'ignore'), [...rel, 'ignore']) ?? [],
    include: scope.texts(child(node, 'include'), [...rel, 'include']) ?? [],
  };
}

export function mapWatch(scope: ServiceScope): MappedWatch | undefined {
  const develop = child(scope.node, 'develop');
  if (!develop || develop.value === null) return undefined;
  if (!isMap(develop.value)) {
    scope.error(['develop'], `expected a map with "watch", got ${describeInput(develop.value)}`);
    return undefined;
  }
  scope.checkKeys(develop, ['develop'], ['watch']);
  const list = child(develop, 'watch');
  if (!list || list.value === null) return undefined;
  if (!Array.isArray(list.value)) {
    scope.error(['develop', 'watch'], `expected a list of rules, got ${describeInput(list.value)}`);
    return undefined;
  }
  const nodes = items(list);
  const rules = nodes.flatMap((node, i) => readRule(scope, node, i) ?? []);
  const syncs: LiveUpdateRule[] = [];
  const runs: LiveUpdateRule[] = [];
  let restart = false;
  for (const rule of rules) {
    const node = nodes[rule.index]!;
    const rel = ['develop', 'watch', rule.index];
    const exec = child(node, 'exec');
    if (exec && rule.action !== 'sync+exec')
      scope.warn([...rel, 'exec'], `only used with action sync+exec (ignored)`);
    if (rule.action.startsWith('sync')) {
      const target = scope.text(child(node, 'target'), [...rel, 'target']);
      if (target === undefined || !target.startsWith('/')) {
        scope.error(
          target === undefined ? rel : [...rel, 'target'],
          `action ${rule.action} needs a "target": an absolute path in the container`,
          {
            at: target === undefined ? 'key' : 'value',
            hint: 'e.g. target: /app/src',
          },
        );
        continue;
      }
      const initial = scope.flag(child(node, 'initial_sync'), [...rel, 'initial_sync']);
      syncs.push({
        kind: 'sync',
        from: rule.path,
        to: target,
        ...(rule.ignore.length ? { ignore: rule.ignore.map((p) => anchored(p, '')) } : {}),
        ...(rule.include.length ? { include: rule.include } : {}),
        ...(initial ? { initial: true } : {}),
      });
    }
    if (rule.action === 'sync+exec') {
      const cmd = execCommand(scope, exec, rel);
      if (cmd) runs.push({ kind: 'run', cmd: { argv: cmd }, trigger: [globOf(rule)] });
    }
    if (rule.action === 'restart')
      runs.push({ kind: 'run', cmd: { argv: ['true'] }, trigger: [globOf(rule)] });
    if (rule.action === 'restart' || rule.action === 'sync+restart') restart = true;
  }
  if (restart && rules.some((r) => r.action === 'sync' || r.action === 'sync+exec')) {
    scope.warn(
      ['develop', 'watch'],
      'pitstop restarts the process after every live update of this service, also after the rules without restart (its restart is per service, not per rule)',
    );
  }
  return {
    watch: [...new Set(rules.map((r) => r.path))],
    ignore: serviceIgnores(rules),
    liveUpdate: [...syncs, ...runs, ...(restart ? [{ kind: 'restart', mode: 'process' } as const] : [])],
    fallBackOn: rebuildGlobs(rules),
  };
}

function execCommand(
  scope: ServiceScope,
  exec: Node | undefined,
  rel: (string | number)[],
): string[] | undefined {
  if (!exec || !isMap(exec.value)) {
    scope.error(exec ? [...rel, 'exec'] : rel, 'action sync+exec needs "exec: { command: ... }"', {
      at: exec ? 'value' : 'key',
    });
    return undefined;
  }
  scope.checkKeys(exec, [...rel, 'exec'], WATCH_EXEC_KEYS, UNSUPPORTED_WATCH_EXEC_KEYS);
  const command = child(exec, 'command');
  if (typeof command?.value === 'string') {
    const split = splitWords(command.value);
    if (!split.ok) scope.error([...rel, 'exec', 'command'], split.message, { hint: split.hint });
    return split.ok && split.words.length > 0 ? split.words : undefined;
  }
  const argv = scope.texts(command, [...rel, 'exec', 'command']);
  if (!argv?.length) scope.error([...rel, 'exec'], 'missing required key "command"', { at: 'key' });
  return argv?.length ? argv : undefined;
}

/**
 * A file a rule ignores must not count as a change nobody covers (that would rebuild): its
 * patterns become service-wide, unless another rule watches there (then that rule decides).
 */
function serviceIgnores(rules: Rule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    for (const pattern of rule.ignore) {
      const converted = anchored(pattern, rule.rel);
      const matcher = createIgnore().add(converted);
      const owned = rules.some(
        (other) =>
          other !== rule &&
          (isInside(other.path, rule.path) ||
            (other.rel !== '' && (matcher.ignores(other.rel) || matcher.ignores(`${other.rel}/`)))),
      );
      if (!owned && !out.includes(converted)) out.push(converted);
    }
  }
  return out;
}

/** A rebuild path also covered by a sync/exec/restart rule must still rebuild, as in Compose. */
function rebuildGlobs(rules: Rule[]): string[] {
  const live = rules.filter((r) => r.action !== 'rebuild');
  return rules
    .filter((r) => r.action === 'rebuild' && r.ignore.length === 0 && r.include.length === 0)
    .filter((r) => live.some((l) => isInside(l.path, r.path) || isInside(r.path, l.path)))
    .map(globOf);
}
