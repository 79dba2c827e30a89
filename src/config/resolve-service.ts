// One validated service entry → the resolved Service model: absolute paths (checked to exist),
// commands, merged env, defaults that depend on other keys (readiness from ports, step names).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type {
  BuildStep,
  Command,
  Dependency,
  LiveUpdateRule,
  PortMapping,
  ReadyCheck,
  RunSpec,
  RuntimeName,
  Service,
} from '../model/project.js';
import { suggest } from './did-you-mean.js';
import { parseDuration } from './duration.js';
import { type EnvConfig, resolveEnv } from './env.js';
import type { IssueList } from './issues.js';
import { resolveDocker } from './resolve-docker.js';
import { LIVE_UPDATE_KINDS, READY_KINDS, type ServiceConfig } from './schema.js';
import { statOrUndefined } from './stat.js';
import type { KeyPath } from './yaml-source.js';

/** A dependency with where it was written, for the cross-service checks. */
export interface DependencyRef {
  dependency: Dependency;
  path: KeyPath;
  at: 'key' | 'value';
}

/** What the project (or the command line) decides for services that do not say. */
export interface ServiceDefaults {
  project: RuntimeName;
  override?: RuntimeName;
  registry?: string | { push: string; pull: string };
}

export interface ResolvedService {
  service: Service;
  dependencies: DependencyRef[];
  ports: { port: number; path: KeyPath }[];
  /** Values of environment variables marked `secret`. */
  secrets: string[];
}

/** Resolves a path written relative to the service dir, reporting it when it does not exist. */
type InDir = (written: string, keyPath: KeyPath, folder: boolean) => string;

const toCommand = (cmd: string | string[]): Command =>
  typeof cmd === 'string' ? { shell: cmd } : { argv: cmd };

/** `a`, `a and b`, `a, b and c` — quoted. */
function listQuoted(words: readonly string[]): string {
  const quoted = words.map((w) => `"${w}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

class ServiceResolver {
  private readonly runtime: RuntimeName;
  private readonly secrets = new Set<string>();
  private readonly registry: ServiceDefaults['registry'];

  constructor(
    private readonly name: string,
    private readonly raw: ServiceConfig,
    private readonly root: string,
    private readonly issues: IssueList,
    runtime: ServiceDefaults,
  ) {
    this.runtime = runtime.override ?? raw.runtime ?? runtime.project;
    this.registry = runtime.registry;
  }

  private at(...rest: (string | number)[]): KeyPath {
    return ['services', this.name, ...rest];
  }

  /** Resolve `written` against `base` and report it if it does not exist (or is not a folder when one is needed). */
  private existing(
    written: string,
    base: string,
    keyPath: KeyPath,
    folder: boolean,
    baseName: string,
  ): string {
    const abs = path.resolve(base, written);
    const stat = statOrUndefined(abs);
    const key = String(keyPath.filter((p) => typeof p === 'string').at(-1));
    if (!stat) {
      const what = folder ? 'directory' : 'file or directory';
      this.issues.add(keyPath, `no such ${what} "${written}"`, {
        hint: this.pathHint(abs, written) ?? `${key} is relative to ${baseName} (${base})`,
      });
    } else if (folder && !stat.isDirectory()) {
      this.issues.add(keyPath, `"${written}" is not a directory`, { hint: `${key} must name a folder` });
    }
    return abs;
  }

  /** A sibling with a close name is most likely what was meant. */
  private pathHint(abs: string, written: string): string | undefined {
    let names: string[];
    try {
      names = readdirSync(path.dirname(abs));
    } catch {
      return undefined;
    }
    const match = suggest(path.basename(abs), names);
    if (!match) return undefined;
    const dir = path.dirname(written);
    return `did you mean "${dir === '.' && !written.startsWith('./') ? match : `${dir}/${match}`}"?`;
  }

  private env(written: EnvConfig): Record<string, string> {
    return resolveEnv(written, this.secrets);
  }

  resolve(): ResolvedService {
    const raw = this.raw;
    const dir = this.existing(
      raw.dir,
      this.root,
      this.at('dir'),
      true,
      'the folder holding the project file',
    );
    const dirOk = statOrUndefined(dir)?.isDirectory() ?? false;
    // Everything else is relative to dir; with dir wrong, each of those would only repeat it.
    const inDir = (written: string, keyPath: KeyPath, folder: boolean) =>
      dirOk ? this.existing(written, dir, keyPath, folder, 'the service dir') : path.resolve(dir, written);
    const env = this.env(raw.env);
    const ports = this.ports();
    const build = this.build(dir, env, inDir);
    const service: Service = {
      name: this.name,
      dir,
      runtime: this.runtime,
      watch: raw.watch.map((w, i) => inDir(w, this.at('watch', i), false)),
      ignore: raw.ignore,
      build,
      run: this.run(dir, env, inDir),
      ports: ports.map((p) => p.port),
      publish: ports.map((p) => ({
        host: p.port,
        container: p.container,
        ...(p.hostIp ? { hostIp: p.hostIp } : {}),
      })),
      ready: {
        check: this.readyCheck(ports[0]?.port),
        timeoutMs: parseDuration(raw.ready?.timeout ?? '60s'),
      },
      dependsOn: [],
      liveUpdate: this.liveUpdate(dirOk ? inDirUnlessBuilt(inDir, dir, build) : inDir),
      fallBackOn: raw.fall_back_on,
      restartPolicy: raw.restart,
      docker: resolveDocker(
        raw.docker,
        dir,
        dirOk && this.runtime === 'docker',
        this.at.bind(this),
        this.issues,
        this.secrets,
        this.registry,
      ),
    };
    const dependencies = this.dependencies();
    service.dependsOn = dependencies.map((d) => d.dependency);
    return { service, dependencies, ports, secrets: [...this.secrets] };
  }

  private build(dir: string, env: Record<string, string>, inDir: InDir): BuildStep[] {
    const raw = this.raw.build;
    if (raw === undefined) return [];
    const single = !Array.isArray(raw);
    const steps = single ? [raw] : raw;
    const seen = new Set<string>();
    return steps.map((step, i) => {
      const stepPath = single ? this.at('build') : this.at('build', i);
      const spec = typeof step === 'string' ? { cmd: step, inputs: ['**/*'], outputs: [] } : step;
      const explicitName = typeof step === 'string' ? undefined : step.name;
      const name = explicitName ?? (steps.length === 1 ? 'build' : `build-${i + 1}`);
      if (seen.has(name)) {
        this.issues.add(
          explicitName ? [...stepPath, 'name'] : stepPath,
          `duplicate build step name "${name}"`,
          {
            hint: 'give each step of a service its own name',
          },
        );
      }
      seen.add(name);
      const cwd = 'cwd' in spec && spec.cwd !== undefined ? inDir(spec.cwd, [...stepPath, 'cwd'], true) : dir;
      const stepEnv = 'env' in spec ? this.env(spec.env) : {};
      return {
        name,
        cmd: toCommand(spec.cmd),
        cwd,
        env: { ...env, ...stepEnv },
        inputs: spec.inputs,
        outputs: spec.outputs,
      };
    });
  }

  private run(dir: string, env: Record<string, string>, inDir: InDir): RunSpec {
    const raw = this.raw.run;
    if (raw === undefined) {
      if (this.runtime === 'local') {
        this.issues.add(this.at(), 'missing required key "run"', {
          at: 'key',
          hint: "add run: <the command that starts the service> (docker services run their image's command)",
        });
      }
      return { cwd: dir, env, stopSignal: 'SIGTERM', stopTimeoutMs: 5000 };
    }
    if (typeof raw === 'string' || Array.isArray(raw)) {
      return { cmd: toCommand(raw), cwd: dir, env, stopSignal: 'SIGTERM', stopTimeoutMs: 5000 };
    }
    return {
      cmd: toCommand(raw.cmd),
      cwd: raw.cwd === undefined ? dir : inDir(raw.cwd, this.at('run', 'cwd'), true),
      env: { ...env, ...this.env(raw.env) },
      stopSignal: raw.stop_signal,
      stopTimeoutMs: parseDuration(raw.stop_timeout),
    };
  }

  private ports(): (PortMapping & { port: number; path: KeyPath })[] {
    const out: (PortMapping & { port: number; path: KeyPath })[] = [];
    this.raw.ports.forEach((written, i) => {
      // `[ADDRESS:]HOST[:CONTAINER]`: the address keeps a container's published port to it.
      const address = /^(\d{1,3}(?:\.\d{1,3}){3}):/.exec(String(written));
      const rest = address ? String(written).slice(address[0].length) : String(written);
      const [host, container = host] = rest.split(':').map(Number) as [number, number?];
      const bad = [host, container].find((p) => p < 1 || p > 65535);
      if (bad !== undefined) {
        this.issues.add(this.at('ports', i), `a port must be between 1 and 65535, got ${bad}`);
        return;
      }
      const hostIp = address?.[1];
      if (hostIp?.split('.').some((b) => Number(b) > 255)) {
        this.issues.add(this.at('ports', i), `"${hostIp}" is not an IPv4 address`);
        return;
      }
      out.push({ port: host, host, container, ...(hostIp ? { hostIp } : {}), path: this.at('ports', i) });
    });
    return out;
  }

  private readyCheck(firstPort: number | undefined): ReadyCheck {
    const ready = this.raw.ready;
    if (ready === undefined) {
      return firstPort === undefined ? { kind: 'none' } : { kind: 'tcp', host: '127.0.0.1', port: firstPort };
    }
    const kinds = READY_KINDS.filter((kind) => ready[kind] !== undefined);
    if (kinds.length !== 1) {
      const message =
        kinds.length === 0
          ? `ready needs one of ${READY_KINDS.map((k) => `"${k}"`).join(', ')}`
          : `ready has ${listQuoted(kinds)}; a service has one readiness check`;
      const where = kinds.length === 0 ? this.at('ready') : this.at('ready', kinds[1]!);
      const hint =
        kinds.length === 0
          ? 'e.g. tcp: 8080, or leave ready out when the service has nothing to wait for'
          : 'keep only one of them';
      this.issues.add(where, message, { at: kinds.length === 0 ? 'value' : 'key', hint });
      return { kind: 'none' };
    }
    if (ready.http !== undefined) return this.httpCheck(ready.http);
    if (ready.tcp !== undefined) return this.tcpCheck(ready.tcp);
    if (ready.log !== undefined) {
      try {
        new RegExp(ready.log);
      } catch (err) {
        const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
        this.issues.add(this.at('ready', 'log'), `invalid regular expression: ${reason}`, {
          hint: 'the pattern is a JavaScript regular expression; escape special characters with \\',
        });
      }
      return { kind: 'log', pattern: ready.log };
    }
    return { kind: 'cmd', cmd: toCommand(ready.cmd!) };
  }

  private httpCheck(url: string): ReadyCheck {
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      this.issues.add(this.at('ready', 'http'), `expected an http or https URL, got "${url}"`, {
        hint: 'e.g. http://127.0.0.1:8080/health',
      });
    }
    return { kind: 'http', url };
  }

  private tcpCheck(written: number | string): ReadyCheck {
    const text = String(written);
    const match = /^(?:(.+):)?(\d+)$/.exec(text);
    const port = match ? Number(match[2]) : Number.NaN;
    if (!match || port < 1 || port > 65535 || match[1] === '') {
      this.issues.add(this.at('ready', 'tcp'), `expected a port or "host:port", got "${text}"`, {
        hint: 'e.g. 5432 or "db.local:5432"',
      });
      return { kind: 'none' };
    }
    const host = match[1]?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1';
    return { kind: 'tcp', host, port };
  }

  private dependencies(): DependencyRef[] {
    const raw = this.raw.depends_on;
    if (raw === undefined) return [];
    if (Array.isArray(raw)) {
      return raw.map((service, i) => ({
        dependency: { service, condition: 'ready', restart: false },
        path: this.at('depends_on', i),
        at: 'value',
      }));
    }
    return Object.entries(raw).map(([service, settings]) => ({
      dependency: { service, condition: settings?.condition ?? 'ready', restart: settings?.restart ?? false },
      path: this.at('depends_on', service),
      at: 'key',
    }));
  }

  private liveUpdate(inDir: InDir): LiveUpdateRule[] {
    const rules: LiveUpdateRule[] = [];
    this.raw.live_update.forEach((step, i) => {
      const kinds = LIVE_UPDATE_KINDS.filter((kind) => step[kind] !== undefined);
      if (kinds.length !== 1) {
        const message =
          kinds.length === 0
            ? `a live_update step needs one of ${LIVE_UPDATE_KINDS.map((k) => `"${k}"`).join(', ')}`
            : `a live_update step has ${listQuoted(kinds)}; each step does one thing`;
        const where = kinds.length === 0 ? this.at('live_update', i) : this.at('live_update', i, kinds[1]!);
        const hint = kinds.length === 0 ? 'e.g. - restart: process' : 'split them into separate list items';
        this.issues.add(where, message, { at: kinds.length === 0 ? 'value' : 'key', hint });
        return;
      }
      if (step.sync) {
        const from = inDir(step.sync.from, this.at('live_update', i, 'sync', 'from'), false);
        rules.push({ kind: 'sync', from, to: step.sync.to });
      } else if (step.run !== undefined) {
        const run = step.run;
        const spec = typeof run === 'string' || Array.isArray(run) ? { cmd: run, trigger: [] } : run;
        rules.push({ kind: 'run', cmd: toCommand(spec.cmd), trigger: spec.trigger });
      } else if (step.restart) {
        rules.push({ kind: 'restart', mode: step.restart });
      }
    });
    return rules;
  }
}

/** A sync from a build step's output (a host-compiled binary) need not exist before the first build. */
function inDirUnlessBuilt(inDir: InDir, dir: string, build: BuildStep[]): InDir {
  const outputs = build.flatMap((step) => step.outputs.map((o) => path.resolve(dir, o)));
  return (written, keyPath, folder) => {
    const abs = path.resolve(dir, written);
    const made = outputs.some(
      (o) => abs === o || abs.startsWith(o + path.sep) || o.startsWith(abs + path.sep),
    );
    return made ? abs : inDir(written, keyPath, folder);
  };
}

export function resolveService(
  name: string,
  raw: ServiceConfig,
  root: string,
  issues: IssueList,
  runtime: ServiceDefaults,
): ResolvedService {
  return new ServiceResolver(name, raw, root, issues, runtime).resolve();
}
