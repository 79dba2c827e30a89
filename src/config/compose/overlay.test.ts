// pitstop.yaml next to compose.yaml: pitstop-only settings over Compose services, extra services,
// and issues reported in the file that has the key.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKERFILE, issues, load, project, removeProjects, service } from './testing.js';

afterAll(removeProjects);

const COMPOSE = `services:
  api:
    build: ./api
    environment: { DB: postgres://db/app, LOG: info }
    ports: ["8081:8080"]
    depends_on: [db]
    develop:
      watch:
        - { path: ./api, action: sync+restart, target: /srv }
  db:
    image: postgres:16
    healthcheck:
      test: pg_isready
`;

async function withOverlay(pitstop: string, extra: Record<string, string> = {}) {
  return project({
    'compose.yaml': COMPOSE,
    'pitstop.yaml': pitstop,
    'api/Dockerfile': DOCKERFILE,
    'api/main.go': 'package main\n',
    ...extra,
  });
}

describe('pitstop.yaml next to compose.yaml', () => {
  it('is found with the Compose file and adds pitstop-only settings; written lists replace', async () => {
    const root = await withOverlay(`name: shop-dev
settle: 50ms
services:
  api:
    build:
      name: compile
      cmd: go build -o bin/api .
      inputs: ["**/*.go"]
      outputs: [api/bin]
      cwd: api
    env: { LOG: debug }
    live_update:
      - sync: { from: api/bin/api, to: /srv/api }
      - restart: process
    ready: { http: "http://127.0.0.1:8081/healthz", timeout: 20s }
`);
    const p = await load(root);
    expect(p.name).toBe('shop-dev');
    expect(p.settleMs).toBe(50);
    const api = service(p, 'api');
    expect(api.runtime).toBe('docker');
    expect(api.build).toMatchObject([{ name: 'compile', cwd: path.join(root, 'api'), outputs: ['api/bin'] }]);
    expect(api.liveUpdate).toEqual([
      { kind: 'sync', from: path.join(root, 'api/bin/api'), to: '/srv/api' },
      { kind: 'restart', mode: 'process' },
    ]);
    expect(api.ready).toEqual({
      check: { kind: 'http', url: 'http://127.0.0.1:8081/healthz' },
      timeoutMs: 20_000,
    });
    // Environment maps merge (pitstop.yaml wins); what pitstop.yaml did not write stays Compose's.
    expect(api.run.env).toEqual({ DB: 'postgres://db/app', LOG: 'debug' });
    expect(api.publish).toEqual([{ host: 8081, container: 8080 }]);
    expect(api.watch).toEqual([path.join(root, 'api')]);
    expect(api.docker.build?.context).toBe(path.join(root, 'api'));
    expect(api.dependsOn).toEqual([{ service: 'db', condition: 'started', restart: false }]);
    expect(service(p, 'db').ready.check).toEqual({
      kind: 'exec',
      cmd: { shell: 'pg_isready' },
      intervalMs: 1000,
    });
  });

  it('runs one Compose service as a local process, and adds extra services', async () => {
    const root = await withOverlay(`services:
  api:
    runtime: local
    run: go run .
    dir: api
    ports: [8081]
  docs:
    run: python3 -m http.server 8090
    ports: [8090]
    depends_on: { api: { condition: ready } }
`);
    const p = await load(root);
    expect(p.services.map((s) => s.name)).toEqual(['api', 'db', 'docs']);
    const api = service(p, 'api');
    expect(api).toMatchObject({
      runtime: 'local',
      dir: path.join(root, 'api'),
      run: { cmd: { shell: 'go run .' }, cwd: path.join(root, 'api') },
      // `dir` moves the folder: watch and live updates are pitstop.yaml's (defaults here).
      watch: [path.join(root, 'api')],
      liveUpdate: [],
      ports: [8081],
    });
    expect(service(p, 'docs')).toMatchObject({
      runtime: 'local',
      dependsOn: [{ service: 'api', condition: 'ready' }],
    });
  });

  it('applies --runtime local to Compose services, which then need a run command', async () => {
    const root = await withOverlay('services:\n  api:\n    run: go run ./api\n');
    expect(await issues(root, { runtime: 'local' })).toEqual([
      {
        file: 'compose.yaml',
        line: 10,
        col: 3,
        path: 'services.db',
        message: 'service "db" runs on the local runtime, and Compose gives it no command to run there',
        hint: 'give it one in pitstop.yaml: services: { db: { run: <command> } }',
      },
    ]);
  });

  it('reports problems in the file that has the key', async () => {
    const root = await withOverlay(`services:
  api:
    live_update:
      - sync: { from: nope, to: /srv }
  docs:
    run: x
    depends_on: [dbb]
`);
    const found = await issues(root);
    expect(found.map((i) => [i.file, i.line, i.path, i.message])).toEqual([
      ['pitstop.yaml', 4, 'services.api.live_update[0].sync.from', 'no such file or directory "nope"'],
      ['pitstop.yaml', 7, 'services.docs.depends_on[0]', 'unknown service "dbb"'],
    ]);
  });

  it('may hold project settings only', async () => {
    const root = await withOverlay('parallel: 3\nignore: ["*.log"]\n');
    const p = await load(root);
    expect(p).toMatchObject({ parallel: 3, ignore: ['*.log'] });
    expect(p.services.map((s) => s.name)).toEqual(['api', 'db']);
  });

  it('is read alone when named alone with -f', async () => {
    const root = await withOverlay('services:\n  solo:\n    run: sleep 1\n');
    const p = await load(root, { files: ['pitstop.yaml'] });
    expect(p.services.map((s) => s.name)).toEqual(['solo']);
  });
});
