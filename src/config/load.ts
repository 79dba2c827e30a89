// pitstop.yaml → Project. Every problem is collected (syntax, shape, then paths and cross-service
// checks) and thrown together as one ConfigError; nothing else throws for a mistake in the file.
// readPitstopFile is also how a pitstop.yaml next to Compose files is read (compose/overlay.ts).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as z from 'zod';
import { errorMessage, PitstopError } from '../errors.js';
import type { Project, RuntimeName } from '../model/project.js';
import { ConfigError } from './config-error.js';
import { checkServices } from './cross-checks.js';
import { parseDuration } from './duration.js';
import type { ProjectFiles } from './find.js';
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
import { type KeyPath, parseYaml, type YamlSource } from './yaml-source.js';
import { describeInput, validate } from './zod-issues.js';

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The folder name made into a valid project name, for when the file sets none. */
export function defaultName(root: string): string {
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
  /** Compose projects: the active profiles (`--profile`); default COMPOSE_PROFILES. */
  profiles?: string[];
  /** Compose projects: the Compose project name (`-p`); default COMPOSE_PROJECT_NAME, `name:`, the folder. */
  projectName?: string;
}

/** pitstop.yaml read next to Compose files: its services extend the Compose ones or add to them. */
export interface OverlayOptions {
  /** Services defined by the Compose files. */
  composeServices: ReadonlySet<string>;
}

/** pitstop.yaml read and resolved service by service, before the checks across services. */
export interface PitstopFile {
  file: string;
  root: string;
  source: YamlSource;
  /** Every problem found so far, positioned in this file. */
  issues: IssueList;
  /** The top-level settings, when they are valid. */
  top: z.output<typeof topLevelSchema> | undefined;
  /** Every service name written, valid or not. */
  names: string[];
  /** The services as written, by name (to know which keys were written). */
  raw: Record<string, unknown>;
  resolved: ResolvedService[];
}

/**
 * An overlay entry for a Compose service needs no image of its own (Compose has it): the
 * placeholder keeps the resolver from asking for a Dockerfile; only keys written are used.
 */
function asOverlay(raw: unknown): unknown {
  if (!isMap(raw) || (raw.docker !== undefined && !isMap(raw.docker))) return raw;
  const docker = isMap(raw.docker) ? raw.docker : {};
  if (docker.image !== undefined || docker.build !== undefined) return raw;
  return { ...raw, docker: { ...docker, image: 'compose' } };
}

export async function readPitstopFile(
  file: string,
  options: LoadOptions = {},
  overlay?: OverlayOptions,
): Promise<PitstopFile> {
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
  // Next to a Compose file, pitstop.yaml may hold only project settings.
  if (overlay && own.services === undefined) own.services = {};
  const checked = validate(topLevelSchema, own, [], issues);
  const top = checked.ok ? checked.value : undefined;

  const rawServices = isMap(data.services) ? data.services : {};
  const names = Object.keys(rawServices);
  if (!overlay && isMap(data.services) && names.length === 0) {
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
    const fromCompose = overlay?.composeServices.has(name) ?? false;
    const raw = fromCompose ? asOverlay(rawServices[name]) : rawServices[name];
    const result = validate(serviceSchema, raw, ['services', name], issues);
    const config = result.ok ? result.value : salvage(raw, result.paths);
    // A Compose service runs on docker unless its pitstop.yaml entry says otherwise.
    const project = fromCompose ? 'docker' : (top?.runtime ?? 'local');
    const runtime = { project, override: options.runtime, registry: top?.registry };
    if (config) resolved.push(resolveService(name, config, root, issues, runtime));
  }
  return { file: abs, root, source, issues, top, names, raw: rawServices, resolved };
}

export async function loadProject(file: string, options: LoadOptions = {}): Promise<Project> {
  const { file: abs, root, source, issues, top, names, resolved } = await readPitstopFile(file, options);
  checkServices(resolved, names, issues);

  if (issues.length > 0 || !top) throw new ConfigError(issues.sorted(), source.text);
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

/**
 * The project from the files findProjectFiles chose: pitstop.yaml alone, or Compose files (with
 * pitstop.yaml next to them as overrides). The Compose loader is imported only when needed.
 */
export async function loadProjectFiles(files: ProjectFiles, options: LoadOptions = {}): Promise<Project> {
  if (files.kind === 'pitstop') return loadProject(files.file, options);
  const { loadCompose } = await import('./compose/load-compose.js');
  return loadCompose(files.compose, { ...options, pitstopFile: files.pitstop });
}
