// pitstop.yaml → Project. Every problem is collected (syntax, shape, then paths and cross-service
// checks) and thrown together as one ConfigError; nothing else throws for a mistake in the file.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, PitstopError } from '../errors.js';
import type { Project, RuntimeName } from '../model/project.js';
import { ConfigError } from './config-error.js';
import { checkServices } from './cross-checks.js';
import { parseDuration } from './duration.js';
import { IssueList } from './issues.js';
import { displayPath } from './render.js';
import { type ResolvedService, resolveService } from './resolve-service.js';
import {
  SERVICE_NAME_PATTERN,
  SERVICE_NAME_RULE,
  type ServiceConfig,
  serviceSchema,
  topLevelSchema,
} from './schema.js';
import { type KeyPath, parseYaml } from './yaml-source.js';
import { describeInput, validate } from './zod-issues.js';

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The folder name made into a valid project name, for when the file sets none. */
function defaultName(root: string): string {
  const name = path
    .basename(root)
    .replace(/[^a-z0-9_.-]+/gi, '-')
    .replace(/^[^a-z0-9]+/i, '');
  return name || 'pitstop';
}

/**
 * A service that failed validation, minus the keys that were wrong, so the remaining checks
 * (paths, depends_on, ports) still run and every problem is reported in one go. Its model is
 * only used for those checks: the load fails anyway.
 */
function salvage(raw: unknown, problems: readonly KeyPath[]): ServiceConfig | undefined {
  if (!isMap(raw)) return undefined;
  const keys = new Set(problems.map((p) => p[2]).filter((k) => k !== undefined));
  // Everything else is relative to dir: with dir wrong, checking the rest would only mislead.
  if (keys.has('dir')) return undefined;
  const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !keys.has(key)));
  const result = serviceSchema.safeParse({ run: 'true', ...rest });
  return result.success ? result.data : undefined;
}

export interface LoadOptions {
  /** Run every service on this runtime, whatever the file says (`--runtime`). */
  runtime?: RuntimeName;
}

export async function loadProject(file: string, options: LoadOptions = {}): Promise<Project> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    throw new PitstopError(`cannot read ${displayPath(abs)} (${reason})`, { exitCode: 3 });
  }
  const root = path.dirname(abs);
  const source = parseYaml(abs, text);
  if (source.syntaxIssues.length > 0) {
    throw new ConfigError(
      [...source.syntaxIssues].sort((a, b) => a.line - b.line || a.col - b.col),
      text,
    );
  }
  const issues = new IssueList(source);
  const data = source.data;
  if (!isMap(data)) {
    const empty = data === null || data === undefined;
    issues.add(
      [],
      empty ? 'the file is empty' : `expected a map at the top level, got ${describeInput(data)}`,
      {
        hint: 'a project file is a map with at least a "services" key; see README',
      },
    );
    throw new ConfigError(issues.sorted(), text);
  }

  // `x-` keys hold YAML anchors for reuse, as in Compose files; they mean nothing themselves.
  const own = Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith('x-')));
  const checked = validate(topLevelSchema, own, [], issues);
  const top = checked.ok ? checked.value : undefined;

  const rawServices = isMap(data.services) ? data.services : {};
  const names = Object.keys(rawServices);
  if (isMap(data.services) && names.length === 0) {
    issues.add(['services'], 'there are no services', { hint: 'add at least one service under "services"' });
  }
  const resolved: ResolvedService[] = [];
  for (const name of names) {
    if (!SERVICE_NAME_PATTERN.test(name)) {
      issues.add(['services', name], `invalid service name "${name}"`, {
        at: 'key',
        hint: SERVICE_NAME_RULE,
      });
    }
    const raw = rawServices[name];
    const result = validate(serviceSchema, raw, ['services', name], issues);
    const config = result.ok ? result.value : salvage(raw, result.paths);
    const runtime = { project: top?.runtime ?? 'local', override: options.runtime } as const;
    if (config) resolved.push(resolveService(name, config, root, issues, runtime));
  }
  checkServices(resolved, names, issues);

  if (issues.length > 0 || !top) throw new ConfigError(issues.sorted(), text);
  return {
    name: top.name ?? defaultName(root),
    root,
    file: abs,
    stateDir: path.join(root, '.pitstop'),
    services: resolved.map((r) => r.service),
    ignore: top.ignore,
    settleMs: parseDuration(top.settle),
    maxBatchMs: parseDuration(top.max_batch),
    parallel: top.parallel ?? Math.max(2, os.availableParallelism()),
    secrets: [...new Set(resolved.flatMap((r) => r.secrets))],
    warnings: [],
    locate: (keyPath) => source.locate(keyPath),
  };
}
