// Compose files (+ pitstop.yaml next to them) → Project. The steps, in Compose's order: `.env`,
// then each file read and interpolated, its `extends` applied, the files merged in order;
// profiles pick the services; each service is mapped to pitstop's model; pitstop.yaml extends
// them; the checks across services run; every problem is thrown at once, every warning kept in
// Project.warnings.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Project } from '../../model/project.js';
import { checkServices } from '../cross-checks.js';
import { parseDuration } from '../duration.js';
import { IssueList } from '../issues.js';
import { type LoadOptions, type PitstopFile, readPitstopFile } from '../load.js';
import type { DependencyRef, ResolvedService } from '../resolve-service.js';
import type { KeyPath } from '../yaml-source.js';
import { ComposeReader } from './compose-file.js';
import { Diagnostics } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { ExtendsResolver } from './extends.js';
import type { Lookup } from './interpolate.js';
import { builtMap, entries, locate, type Node } from './located.js';
import { checkService, type MappedService, mapService } from './map-service.js';
import { mergeMaps } from './merge.js';
import { applyOverlay } from './overlay.js';
import { selectByProfiles } from './profiles.js';
import { ServiceScope } from './scope.js';
import { composeProjectName, readTopLevel } from './top-level.js';

export interface ComposeOptions extends LoadOptions {
  /** pitstop.yaml whose services extend the Compose ones (and add others). */
  pitstopFile?: string;
  /** The environment for interpolation, profiles and the project name; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What the Compose loader knows beyond the Project: for the conflict check with `docker compose`. */
export interface ComposeInfo {
  /** The Compose project name: `com.docker.compose.project` on containers Compose starts. */
  projectName: string;
  files: string[];
  profiles: string[];
}

const infos = new WeakMap<Project, ComposeInfo>();

/** Compose details of a project loaded from Compose files; undefined for a pitstop.yaml project. */
export function composeInfo(project: Project): ComposeInfo | undefined {
  return infos.get(project);
}

/** `.env` in the project folder: for interpolation only, under the process environment. */
async function readDotenvFile(
  root: string,
  env: NodeJS.ProcessEnv,
  diag: Diagnostics,
): Promise<Map<string, string>> {
  const file = path.join(root, '.env');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return new Map();
  }
  const parsed = parseDotenv(text, (name) => env[name]);
  for (const p of parsed.problems) diag.errorAt(file, text, p.line, p.col, p.message, p.hint);
  return parsed.values;
}

const withoutServices = (top: Node) =>
  builtMap(
    top.where.origin,
    entries(top).filter(([key]) => key !== 'services'),
  );

export async function loadCompose(files: string[], options: ComposeOptions = {}): Promise<Project> {
  const abs = files.map((f) => path.resolve(f));
  const root = path.dirname(abs[0]!);
  const diag = new Diagnostics();
  const processEnv = options.env ?? process.env;
  const dotenv = await readDotenvFile(root, processEnv, diag);
  const env: Lookup = (name) => processEnv[name] ?? dotenv.get(name);

  const reader = new ComposeReader(env, diag);
  const resolver = new ExtendsResolver(reader, diag);
  const services = new Map<string, Node>();
  const broken = new Set<string>();
  let top: Node | undefined;
  for (const file of abs) {
    const loaded = await reader.read(file, root);
    if (!loaded) continue;
    for (const [name, service] of await resolver.resolveFile(loaded)) {
      if (resolver.isBroken(loaded, name)) broken.add(name);
      const earlier = services.get(name);
      services.set(name, earlier ? mergeMaps(earlier, service, '', reader.tagOf) : service);
    }
    const own = withoutServices(loaded.top);
    top = top ? mergeMaps(top, own, '', reader.tagOf) : own;
  }
  // A file that could not be read or parsed leaves nothing sound to check further.
  if (!top) diag.throwIfAny();
  const topLevel = readTopLevel(top!, diag);
  const projectName = composeProjectName(root, topLevel, options.projectName, env);
  const selection = selectByProfiles(services, options.profiles, env, diag);

  const ctx = { root, diag, env, volumes: topLevel.volumes, networks: topLevel.networks };
  const mapped = new Map<string, MappedService>();
  for (const [name, node] of services) {
    if (broken.has(name)) continue;
    if (selection.enabled.has(name)) mapped.set(name, await mapService(name, node, ctx));
    else checkService(new ServiceScope(name, node, ctx, true));
  }

  const overlay = options.pitstopFile
    ? await readPitstopFile(options.pitstopFile, options, { composeServices: new Set(services.keys()) })
    : undefined;
  const resolved = combine(mapped, overlay, selection.disabled, diag);
  if (options.runtime) for (const r of resolved.values()) r.service.runtime = options.runtime;
  const names = [...selection.enabled.keys(), ...(overlay?.names.filter((n) => !services.has(n)) ?? [])];
  checkDependencies(mapped, resolved, selection.disabled);
  checkLocalRuns(mapped, resolved, diag);
  if (resolved.size > 0)
    checkServices([...resolved.values()], names, new RoutedIssues(overlay, mapped, diag));
  if (overlay) diag.addIssues(overlay.issues.items, overlay.source);
  if (resolved.size === 0 && diag.errorCount === 0) {
    diag.error(locate(top!.where, ['services']), 'no service to run', {
      hint:
        selection.disabled.size > 0
          ? 'every service has a profile: activate one (COMPOSE_PROFILES)'
          : 'add a service',
    });
  }
  diag.throwIfAny();

  const settings = overlay?.top;
  const project: Project = {
    name: settings?.name ?? projectName,
    root,
    file: abs[0]!,
    stateDir: path.join(root, '.pitstop'),
    services: [...resolved.values()].map((r) => r.service),
    ignore: settings?.ignore ?? [],
    settleMs: parseDuration(settings?.settle ?? '10ms'),
    maxBatchMs: parseDuration(settings?.max_batch ?? '2s'),
    parallel: settings?.parallel ?? Math.max(2, os.availableParallelism()),
    secrets: [...new Set([...resolved.values()].flatMap((r) => r.secrets))],
    warnings: diag.warnings,
    locate: (keyPath) => locateKey(keyPath, mapped, overlay),
  };
  infos.set(project, { projectName, files: abs, profiles: selection.active });
  return project;
}

/** Compose services (with their pitstop.yaml entries applied), then pitstop.yaml's own services. */
function combine(
  mapped: Map<string, MappedService>,
  overlay: PitstopFile | undefined,
  disabled: ReadonlyMap<string, string[]>,
  diag: Diagnostics,
): Map<string, ResolvedService> {
  const out = new Map<string, ResolvedService>();
  for (const [name, m] of mapped) out.set(name, m.resolved);
  for (const own of overlay?.resolved ?? []) {
    const name = own.service.name;
    const compose = mapped.get(name);
    if (compose) out.set(name, applyOverlay(compose.resolved, own, overlay!.raw[name]));
    else if (disabled.has(name)) {
      const origin = { source: overlay!.source, path: ['services', name] };
      diag.warn(
        origin,
        ['services', name],
        `not started: its Compose profiles (${disabled.get(name)!.join(', ')}) are not active`,
      );
    } else out.set(name, own);
  }
  return out;
}

/** Dependencies on services a profile left out, and `service_healthy` on a service with no healthcheck. */
function checkDependencies(
  mapped: Map<string, MappedService>,
  resolved: Map<string, ResolvedService>,
  disabled: ReadonlyMap<string, string[]>,
): void {
  for (const [name, m] of mapped) {
    const current = resolved.get(name)!;
    if (current.dependencies !== m.resolved.dependencies) continue;
    const kept: DependencyRef[] = [];
    for (const { ref, required } of m.dependencies) {
      const target = ref.dependency.service;
      const rel = ['depends_on', target];
      if (!resolved.has(target) && !required) {
        m.scope.warn(
          rel,
          `"${target}" is not part of the project (required: false): ${name} starts without it`,
        );
        continue;
      }
      if (disabled.has(target)) {
        const profiles = disabled.get(target)!.join(', ');
        m.scope.error(rel, `"${target}" is not started: its profiles (${profiles}) are not active`, {
          at: 'key',
          hint: `activate one of them (COMPOSE_PROFILES=${disabled.get(target)![0]}), or add required: false`,
        });
        continue;
      }
      const ready = resolved.get(target)?.service.ready.check.kind;
      if (ref.dependency.condition === 'ready' && ready === 'none') {
        m.scope.warn(
          [...rel, 'condition'],
          `service_healthy, but "${target}" has no healthcheck pitstop can run: ${name} starts once ${target} has started`,
        );
      }
      kept.push(ref);
    }
    current.dependencies = kept;
    current.service.dependsOn = kept.map((r) => r.dependency);
  }
}

/** A Compose service run as a local process needs the command pitstop.yaml gives it. */
function checkLocalRuns(
  mapped: Map<string, MappedService>,
  resolved: Map<string, ResolvedService>,
  diag: Diagnostics,
) {
  for (const [name, m] of mapped) {
    const service = resolved.get(name)!.service;
    if (service.runtime !== 'local' || service.run.cmd) continue;
    diag.error(
      m.scope.at([]),
      `service "${name}" runs on the local runtime, and Compose gives it no command to run there`,
      {
        at: 'key',
        hint: `give it one in pitstop.yaml: services: { ${name}: { run: <command> } }`,
      },
    );
  }
}

/**
 * Issues of the checks across services, sent to the file where each key was written: a key
 * pitstop.yaml set is in pitstop.yaml, any other key of a Compose service in its Compose file.
 */
class RoutedIssues extends IssueList {
  readonly #fromOverlay = new WeakSet<KeyPath>();
  readonly #overlay: PitstopFile | undefined;
  readonly #mapped: Map<string, MappedService>;
  readonly #diag: Diagnostics;

  constructor(overlay: PitstopFile | undefined, mapped: Map<string, MappedService>, diag: Diagnostics) {
    super(overlay?.source ?? firstSource(mapped));
    this.#overlay = overlay;
    this.#mapped = mapped;
    this.#diag = diag;
    for (const r of overlay?.resolved ?? []) {
      for (const d of r.dependencies) this.#fromOverlay.add(d.path);
      for (const p of r.ports) this.#fromOverlay.add(p.path);
    }
  }

  override add(path: KeyPath, message: string, options: { hint?: string; at?: 'key' | 'value' } = {}): void {
    const compose = this.#mapped.get(String(path[1]));
    if (compose && !this.#fromOverlay.has(path)) compose.scope.error(path.slice(2), message, options);
    else if (this.#overlay) this.#overlay.issues.add(path, message, options);
    else this.#diag.error({ source: firstSource(this.#mapped), path }, message, options);
  }
}

const firstSource = (mapped: Map<string, MappedService>) => [...mapped.values()][0]!.scope.at([]).source;

/** Where a key of the project was written, for errors at run time (pitstop.yaml keys first). */
function locateKey(keyPath: KeyPath, mapped: Map<string, MappedService>, overlay: PitstopFile | undefined) {
  const [, name, key] = keyPath;
  const raw = overlay?.raw[String(name)];
  const written = typeof raw === 'object' && raw !== null && key !== undefined && String(key) in raw;
  const compose = mapped.get(String(name));
  if (keyPath[0] !== 'services' || !compose || written || key === undefined) {
    return overlay?.source.locate(keyPath) ?? compose?.scope.at([]).source.locate(keyPath);
  }
  const sub = key === 'docker' && keyPath[3] !== undefined ? String(keyPath[3]) : String(key);
  const origin = compose.scope.at([COMPOSE_KEYS[sub] ?? sub]);
  return origin.source.locate(origin.path);
}

/** pitstop's keys → the Compose keys they come from, for locating runtime errors. */
const COMPOSE_KEYS: Record<string, string> = {
  run: 'command',
  env: 'environment',
  ready: 'healthcheck',
  live_update: 'develop',
  watch: 'develop',
  workdir: 'working_dir',
  docker: 'image',
};
