// Model values for unit tests: a minimal service and project, overridden per test.
import path from 'node:path';
import type { Project, Service } from './project.js';

export function makeService(name: string, dir: string, extra: Partial<Service> = {}): Service {
  return {
    name,
    dir,
    runtime: 'local',
    watch: [dir],
    ignore: [],
    build: [],
    run: { cmd: { shell: 'true' }, cwd: dir, env: {}, stopSignal: 'SIGTERM', stopTimeoutMs: 1000 },
    ports: [],
    publish: [],
    ready: { check: { kind: 'none' }, timeoutMs: 1000 },
    dependsOn: [],
    liveUpdate: [],
    fallBackOn: [],
    restartPolicy: 'no',
    docker: { env: {}, volumes: [] },
    ...extra,
  };
}

export function makeProject(root: string, services: Service[], extra: Partial<Project> = {}): Project {
  return {
    name: 'test',
    root,
    file: path.join(root, 'pitstop.yaml'),
    stateDir: path.join(root, '.pitstop'),
    services,
    ignore: [],
    settleMs: 10,
    maxBatchMs: 5_000,
    parallel: 4,
    secrets: [],
    warnings: [],
    locate: () => undefined,
    ...extra,
  };
}
