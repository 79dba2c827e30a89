// One merged Compose service → pitstop's Service (runtime docker), with Compose semantics: no
// readiness check unless a `healthcheck` says so (Compose only waits for a healthcheck, and a
// published port answers through docker-proxy before the process listens), `depends_on` as a list
// means "started", `restart` defaults to "no", stop_grace_period to 10s. Every key is read, warned
// about (known, not supported yet) or reported (not Compose).
import { constants } from 'node:os';
import path from 'node:path';
import type { Dependency, Service } from '../../model/project.js';
import type { DependencyRef, ResolvedService } from '../resolve-service.js';
import { describeInput } from '../zod-issues.js';
import { parseGoDuration } from './go-duration.js';
import {
  DEPENDS_ON_KEYS,
  MAPPED_SERVICE_KEYS,
  NETWORK_ATTACH_KEYS,
  UNSUPPORTED_SERVICE_KEYS,
} from './keys.js';
import { child, entries, isMap, type Node } from './located.js';
import { mapEnvironment } from './map-env.js';
import { mapHealthcheck } from './map-health.js';
import { mapDocker } from './map-image.js';
import { mapPorts } from './map-ports.js';
import { mapVolumes } from './map-volumes.js';
import { anchored, mapWatch } from './map-watch.js';
import { type ComposeContext, ServiceScope } from './scope.js';

const CONDITIONS: Record<string, Dependency['condition']> = {
  service_started: 'started',
  service_healthy: 'ready',
  service_completed_successfully: 'completed',
};

const RESTART: Record<string, Service['restartPolicy']> = {
  no: 'no',
  always: 'always',
  'unless-stopped': 'always',
  'on-failure': 'on-failure',
};

/** A `depends_on` entry with what is checked once every service is known. */
export interface ComposeDependency {
  ref: DependencyRef;
  /** `required: false`: a dependency that is not there is skipped (with a warning). */
  required: boolean;
}

export interface MappedService {
  resolved: ResolvedService;
  dependencies: ComposeDependency[];
  /** The service has a healthcheck, so `service_healthy` on it means something. */
  healthy: boolean;
  scope: ServiceScope;
}

function stopSignal(scope: ServiceScope): NodeJS.Signals {
  const written = scope.text(child(scope.node, 'stop_signal'), ['stop_signal']);
  if (written === undefined) return 'SIGTERM';
  const upper = written.toUpperCase();
  const byNumber = Object.entries(constants.signals).find(([, n]) => String(n) === written)?.[0];
  const name = byNumber ?? (upper.startsWith('SIG') ? upper : `SIG${upper}`);
  if (name in constants.signals) return name as NodeJS.Signals;
  scope.error(['stop_signal'], `unknown signal "${written}"`, { hint: 'e.g. SIGTERM, SIGINT, SIGQUIT' });
  return 'SIGTERM';
}

function stopTimeoutMs(scope: ServiceScope): number {
  const written = scope.text(child(scope.node, 'stop_grace_period'), ['stop_grace_period']);
  if (written === undefined) return 10_000;
  const ms = parseGoDuration(written);
  if (ms !== undefined) return ms;
  scope.error(['stop_grace_period'], `invalid duration "${written}"`, { hint: 'e.g. "10s", "1m30s"' });
  return 10_000;
}

function restartPolicy(scope: ServiceScope): Service['restartPolicy'] {
  const written = scope.text(child(scope.node, 'restart'), ['restart']);
  if (written === undefined) return 'no';
  const [policy = '', retries] = written.split(':');
  const mapped = RESTART[policy];
  if (!mapped || (retries !== undefined && (policy !== 'on-failure' || !/^\d+$/.test(retries)))) {
    scope.error(['restart'], `unknown restart policy "${written}"`, {
      hint: 'use no, always, on-failure[:max-retries] or unless-stopped',
    });
    return 'no';
  }
  if (retries !== undefined) {
    scope.warn(
      ['restart'],
      `a maximum of ${retries} retries is not supported by pitstop yet: it restarts with back-off and gives up after 5 crashes in a minute`,
    );
  }
  return mapped;
}

function dependencies(scope: ServiceScope): ComposeDependency[] {
  const node = child(scope.node, 'depends_on');
  if (!node || node.value === null) return [];
  if (!isMap(node.value)) {
    scope.error(['depends_on'], `expected a list of services or a map, got ${describeInput(node.value)}`);
    return [];
  }
  return entries(node).map(([target, spec]) => {
    const rel = ['depends_on', target];
    if (spec.value !== null && !isMap(spec.value)) {
      scope.error(rel, `expected a map with "condition", got ${describeInput(spec.value)}`);
    }
    const part = (key: string) => (isMap(spec.value) ? child(spec, key) : undefined);
    if (isMap(spec.value)) scope.checkKeys(spec, rel, DEPENDS_ON_KEYS);
    const written = scope.text(part('condition'), [...rel, 'condition']) ?? 'service_started';
    const condition = CONDITIONS[written];
    if (!condition) {
      scope.error([...rel, 'condition'], `unknown condition "${written}"`, {
        hint: `use one of: ${Object.keys(CONDITIONS).join(', ')}`,
      });
    }
    return {
      ref: {
        dependency: {
          service: target,
          condition: condition ?? 'started',
          restart: scope.flag(part('restart'), [...rel, 'restart']) ?? false,
        },
        path: scope.path(rel),
        at: 'key',
      },
      required: scope.flag(part('required'), [...rel, 'required']) ?? true,
    };
  });
}

/** Networks: pitstop puts every service on one project network, reachable by its name. */
function networks(scope: ServiceScope, declared: ReadonlySet<string>): void {
  const node = child(scope.node, 'networks');
  if (!node || node.value === null) return;
  if (!isMap(node.value)) {
    scope.error(['networks'], `expected a list of networks or a map, got ${describeInput(node.value)}`);
    return;
  }
  for (const [name, settings] of entries(node)) {
    if (name !== 'default' && !declared.has(name)) {
      scope.error(['networks', name], `the network "${name}" is not declared`, {
        at: 'key',
        hint: `declare it under the top-level networks:, as Compose requires`,
      });
    }
    if (isMap(settings.value)) scope.checkKeys(settings, ['networks', name], [], NETWORK_ATTACH_KEYS);
  }
}

/** Without develop.watch: watch the build context; a change rebuilds and replaces (if the image changed). */
function defaultWatch(service: Service, bindSources: string[]): void {
  const context = service.docker.build?.context;
  if (!context) return;
  const inside = (parent: string, p: string) => p === parent || p.startsWith(parent + path.sep);
  // A bind mount already brings its files into the container: rebuilding for them would only
  // replace the container under a process that may reload by itself.
  if (bindSources.some((source) => inside(source, context))) return;
  service.watch = [context];
  service.ignore = bindSources
    .filter((source) => inside(context, source) && inside(service.dir, source))
    .map((source) => anchored(path.relative(service.dir, source).split(path.sep).join('/'), ''));
}

const COMPOSE_SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;

/** The checks every service gets, running or not: its name and its keys, as Compose checks them. */
export function checkService(scope: ServiceScope): void {
  if (!COMPOSE_SERVICE_NAME.test(scope.name)) {
    scope.error([], `invalid service name "${scope.name}"`, {
      at: 'key',
      hint: 'a Compose service name has letters, digits, ".", "_" and "-"',
    });
  }
  if (!isMap(scope.node.value)) {
    scope.error([], `expected a map of service settings, got ${describeInput(scope.node.value)}`);
  }
  scope.checkKeys(scope.node, [], MAPPED_SERVICE_KEYS, UNSUPPORTED_SERVICE_KEYS);
}

export async function mapService(
  name: string,
  node: Node,
  ctx: ComposeContext & { networks: ReadonlySet<string> },
): Promise<MappedService> {
  const scope = new ServiceScope(name, node, ctx);
  checkService(scope);
  if (child(node, 'container_name')) {
    scope.warn(
      ['container_name'],
      `pitstop names its containers itself; other services reach this one by its service name "${name}"`,
    );
  }
  networks(scope, ctx.networks);
  const env = await mapEnvironment(scope);
  const ports = mapPorts(scope);
  const volumes = mapVolumes(scope);
  const health = mapHealthcheck(scope);
  const deps = dependencies(scope);
  const service: Service = {
    name,
    dir: ctx.root,
    runtime: 'docker',
    watch: [],
    ignore: [],
    build: [],
    run: { cwd: ctx.root, env, stopSignal: stopSignal(scope), stopTimeoutMs: stopTimeoutMs(scope) },
    ports: ports.map((p) => p.host),
    publish: ports.map(({ host, container, hostIp }) => ({ host, container, ...(hostIp ? { hostIp } : {}) })),
    ready: health.ready,
    dependsOn: deps.map((d) => d.ref.dependency),
    liveUpdate: [],
    fallBackOn: [],
    restartPolicy: restartPolicy(scope),
    docker: mapDocker(scope, volumes.mounts),
  };
  const watch = mapWatch(scope);
  if (watch) Object.assign(service, watch);
  else defaultWatch(service, volumes.bindSources);
  const resolved: ResolvedService = {
    service,
    dependencies: deps.map((d) => d.ref),
    ports: ports.map((p) => ({ port: p.host, path: scope.path(p.rel) })),
    secrets: [],
  };
  return { resolved, dependencies: deps, healthy: health.defined, scope };
}
