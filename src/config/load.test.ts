import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from './load.js';

const roots: string[] = [];

/** A project folder holding `yaml` as pitstop.yaml and the given (empty) folders. */
async function project(yaml: string, dirs: string[] = [], folderName = 'shop'): Promise<string> {
  const parent = await realpath(await mkdtemp(path.join(os.tmpdir(), 'pitstop-load-')));
  roots.push(parent);
  const root = path.join(parent, folderName);
  for (const dir of ['.', ...dirs]) await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, 'pitstop.yaml'), yaml);
  return root;
}

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const FULL = `
name: shop
settle: 20ms
max_batch: 1.5s
parallel: 3
ignore: ["*.log"]
services:
  db:
    run: [postgres, -D, data]
    ports: ["5432"]
  api:
    dir: api
    env: { PORT: 8080, DEBUG: true, NAME: api }
    watch: [src, go.mod]
    ignore: ["*_test.go"]
    build:
      - go vet ./...
      - name: compile
        cmd: [go, build, -o, bin/api, .]
        env: { CGO_ENABLED: 0, NAME: compiler }
        inputs: ["**/*.go"]
        outputs: [bin/api]
        cwd: src
    run:
      cmd: ./bin/api
      env: { PORT: 9090 }
      cwd: src
      stop_signal: SIGINT
      stop_timeout: 250ms
    ports: [8080, 8081]
    ready: { http: "http://127.0.0.1:8080/health", timeout: 2m }
    depends_on:
      db: { condition: started, restart: true }
    live_update:
      - sync: { from: src, to: /app/src }
      - run: { cmd: make gen, trigger: ["src/**/*.proto"] }
      - run: [make, fmt]
      - restart: process
    fall_back_on: [go.mod]
    restart: always
  web:
    dir: web
    build: npm run build
    run: npm start
    depends_on: [api]
    ready: { tcp: "localhost:3000" }
    restart: no
`.slice(1);

describe('loadProject: a valid file', () => {
  it('resolves every key, with defaults, absolute paths, durations and merged env', async () => {
    const root = await project(FULL, ['api/src', 'web']);
    await writeFile(path.join(root, 'api/go.mod'), 'module api\n');
    const p = await loadProject(path.join(root, 'pitstop.yaml'));

    expect(p.name).toBe('shop');
    expect(p.root).toBe(root);
    expect(p.file).toBe(path.join(root, 'pitstop.yaml'));
    expect(p.stateDir).toBe(path.join(root, '.pitstop'));
    expect(p.settleMs).toBe(20);
    expect(p.maxBatchMs).toBe(1500);
    expect(p.parallel).toBe(3);
    expect(p.ignore).toEqual(['*.log']);
    expect(p.services.map((s) => s.name)).toEqual(['db', 'api', 'web']);

    const [db, api, web] = p.services;
    expect(db).toEqual({
      name: 'db',
      dir: root,
      runtime: 'local',
      watch: [root],
      ignore: [],
      build: [],
      run: {
        cmd: { argv: ['postgres', '-D', 'data'] },
        cwd: root,
        env: {},
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 5000,
      },
      ports: [5432],
      publish: [{ host: 5432, container: 5432 }],
      ready: { check: { kind: 'tcp', host: '127.0.0.1', port: 5432 }, timeoutMs: 60_000 },
      dependsOn: [],
      liveUpdate: [],
      fallBackOn: [],
      restartPolicy: 'on-failure',
      docker: {
        env: {},
        build: { context: root, dockerfile: path.join(root, 'Dockerfile'), args: {} },
        volumes: [],
      },
    });

    const apiDir = path.join(root, 'api');
    expect(api).toEqual({
      name: 'api',
      dir: apiDir,
      runtime: 'local',
      watch: [path.join(apiDir, 'src'), path.join(apiDir, 'go.mod')],
      ignore: ['*_test.go'],
      build: [
        {
          name: 'build-1',
          cmd: { shell: 'go vet ./...' },
          cwd: apiDir,
          env: { PORT: '8080', DEBUG: 'true', NAME: 'api' },
          inputs: ['**/*'],
          outputs: [],
        },
        {
          name: 'compile',
          cmd: { argv: ['go', 'build', '-o', 'bin/api', '.'] },
          cwd: path.join(apiDir, 'src'),
          env: { PORT: '8080', DEBUG: 'true', NAME: 'compiler', CGO_ENABLED: '0' },
          inputs: ['**/*.go'],
          outputs: ['bin/api'],
        },
      ],
      run: {
        cmd: { shell: './bin/api' },
        cwd: path.join(apiDir, 'src'),
        env: { PORT: '9090', DEBUG: 'true', NAME: 'api' },
        stopSignal: 'SIGINT',
        stopTimeoutMs: 250,
      },
      ports: [8080, 8081],
      publish: [
        { host: 8080, container: 8080 },
        { host: 8081, container: 8081 },
      ],
      ready: { check: { kind: 'http', url: 'http://127.0.0.1:8080/health' }, timeoutMs: 120_000 },
      dependsOn: [{ service: 'db', condition: 'started', restart: true }],
      liveUpdate: [
        { kind: 'sync', from: path.join(apiDir, 'src'), to: '/app/src' },
        { kind: 'run', cmd: { shell: 'make gen' }, trigger: ['src/**/*.proto'] },
        { kind: 'run', cmd: { argv: ['make', 'fmt'] }, trigger: [] },
        { kind: 'restart', mode: 'process' },
      ],
      fallBackOn: ['go.mod'],
      restartPolicy: 'always',
      docker: {
        env: {},
        build: { context: apiDir, dockerfile: path.join(apiDir, 'Dockerfile'), args: {} },
        volumes: [],
      },
    });

    expect(web?.build).toEqual([
      {
        name: 'build',
        cmd: { shell: 'npm run build' },
        cwd: path.join(root, 'web'),
        env: {},
        inputs: ['**/*'],
        outputs: [],
      },
    ]);
    expect(web?.dependsOn).toEqual([{ service: 'api', condition: 'ready', restart: false }]);
    expect(web?.ready.check).toEqual({ kind: 'tcp', host: 'localhost', port: 3000 });
    expect(web?.restartPolicy).toBe('no');
  });

  it('fills the top-level defaults', async () => {
    const root = await project('services:\n  app:\n    run: ./app\n', [], 'My Shop!');
    const p = await loadProject(path.join(root, 'pitstop.yaml'));
    expect(p.name).toBe('My-Shop-');
    expect(p.settleMs).toBe(10);
    expect(p.maxBatchMs).toBe(2000);
    expect(p.parallel).toBe(Math.max(2, os.availableParallelism()));
    expect(p.ignore).toEqual([]);
    expect(p.services[0]?.ready).toEqual({ check: { kind: 'none' }, timeoutMs: 60_000 });
  });

  it('reads the other readiness kinds and depends_on entries without settings', async () => {
    const root = await project(
      `
services:
  a:
    run: a
    ready: { log: "listening on :\\\\d+", timeout: 5s }
  b:
    run: b
    ready: { cmd: [pg_isready] }
    depends_on: { a: }
  c:
    run: c
    ready: { tcp: 6000 }
    depends_on: { a: null, b: {} }
`.slice(1),
    );
    const p = await loadProject(path.join(root, 'pitstop.yaml'));
    const [a, b, c] = p.services;
    expect(a?.ready).toEqual({ check: { kind: 'log', pattern: 'listening on :\\d+' }, timeoutMs: 5000 });
    expect(b?.ready.check).toEqual({ kind: 'cmd', cmd: { argv: ['pg_isready'] } });
    expect(b?.dependsOn).toEqual([{ service: 'a', condition: 'ready', restart: false }]);
    expect(c?.ready.check).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6000 });
    expect(c?.dependsOn.map((d) => d.service)).toEqual(['a', 'b']);
  });

  it('applies merge keys and ignores x- keys', async () => {
    const root = await project(
      `
x-defaults: &defaults
  restart: always
  env: { LOG: debug }
services:
  a:
    <<: *defaults
    run: a
  b:
    <<: *defaults
    restart: no
    run: b
`.slice(1),
    );
    const p = await loadProject(path.join(root, 'pitstop.yaml'));
    expect(p.services.map((s) => [s.restartPolicy, s.run.env])).toEqual([
      ['always', { LOG: 'debug' }],
      ['no', { LOG: 'debug' }],
    ]);
    // Merged keys are located where they were written: in the anchored map.
    expect(p.locate(['services', 'a', 'restart'])).toEqual({ file: p.file, line: 2, col: 12 });
    expect(p.locate(['services', 'b', 'restart'])).toEqual({ file: p.file, line: 10, col: 14 });
  });

  it('locates values, keys without values, and the nearest written ancestor', async () => {
    const root = await project(
      `
services:
  api:
    run:
      cmd: ./bin/api
    watch: [".", src]
  web:
    run: npm start
    depends_on:
      api:
`.slice(1),
      ['src'],
    );
    const p = await loadProject(path.join(root, 'pitstop.yaml'));
    const at = (...keyPath: (string | number)[]) => {
      const loc = p.locate(keyPath);
      return loc && [loc.line, loc.col];
    };
    expect(p.locate(['services', 'api', 'run', 'cmd'])?.file).toBe(p.file);
    expect(at('services', 'api', 'run', 'cmd')).toEqual([4, 12]);
    expect(at('services', 'api', 'watch', 1)).toEqual([5, 18]);
    expect(at('services', 'web', 'depends_on', 'api')).toEqual([9, 7]);
    // `run` written as a string has no `cmd` node: the string itself is the answer.
    expect(at('services', 'web', 'run', 'cmd')).toEqual([7, 10]);
    expect(at('services', 'nope')).toEqual([2, 3]);
  });

  it('resolves docker settings: image or build, mounts, published ports, and --runtime', async () => {
    const root = await project(
      `
runtime: docker
registry: { push: 127.0.0.1:5001, pull: 10.0.0.1:5001 }
services:
  api:
    dir: api
    build: { cmd: go build -o bin/api ., outputs: [bin] }
    ports: ["8080:80", 9090, "127.0.0.1:5432:5432"]
    docker:
      build: { context: ., dockerfile: build/Dockerfile, args: { GO: 1 }, target: dev }
      entrypoint: [/bin/api]
      command: --verbose
      env: { HOST: 0.0.0.0 }
      workdir: /app
      user: 1000
      volumes: ["gocache:/root/.cache/go-build", "./data:/data:ro"]
    live_update:
      - sync: { from: bin/api, to: /app/api }
      - restart: process
  cache:
    runtime: local
    run: redis-server
    docker: { image: redis:7, registry: false }
`.slice(1),
      ['api/build', 'api/data'],
    );
    await writeFile(path.join(root, 'api/build/Dockerfile'), 'FROM scratch\n');
    const p = await loadProject(path.join(root, 'pitstop.yaml'));
    const [api, cache] = p.services;
    const apiDir = path.join(root, 'api');
    expect(api?.runtime).toBe('docker');
    expect(api?.run.cmd).toBeUndefined();
    expect(api?.publish).toEqual([
      { host: 8080, container: 80 },
      { host: 9090, container: 9090 },
      { host: 5432, container: 5432, hostIp: '127.0.0.1' },
    ]);
    expect(api?.ports).toEqual([8080, 9090, 5432]);
    expect(api?.docker).toEqual({
      registry: { push: '127.0.0.1:5001', pull: '10.0.0.1:5001' },
      env: { HOST: '0.0.0.0' },
      command: ['/bin/sh', '-c', '--verbose'],
      build: {
        context: apiDir,
        dockerfile: path.join(apiDir, 'build/Dockerfile'),
        args: { GO: '1' },
        target: 'dev',
      },
      entrypoint: ['/bin/api'],
      workdir: '/app',
      user: '1000',
      volumes: [
        { kind: 'volume', source: 'gocache', target: '/root/.cache/go-build', readOnly: false },
        { kind: 'bind', source: path.join(apiDir, 'data'), target: '/data', readOnly: true },
      ],
    });
    // bin/api does not exist yet: the build step makes it, so the sync rule is fine.
    expect(api?.liveUpdate[0]).toEqual({ kind: 'sync', from: path.join(apiDir, 'bin/api'), to: '/app/api' });
    expect(cache).toMatchObject({ runtime: 'local', docker: { image: 'redis:7', env: {}, volumes: [] } });
    expect(cache?.docker.registry).toBeUndefined();

    // --runtime local: validated for the runtime it will run on, where `api` has no command.
    await expect(loadProject(path.join(root, 'pitstop.yaml'), { runtime: 'local' })).rejects.toThrow(
      /services\.api: missing required key "run"/,
    );
  });
});
