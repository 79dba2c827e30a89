// develop.watch → pitstop live updates, one action at a time, and what a service without watch
// rules watches. The planner is run on the result, so each rule is checked for what a save does.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planUpdate } from '../../engine/planner.js';
import type { Service } from '../../model/project.js';
import { DOCKERFILE, issues, load, project, removeProjects, service, warningTexts } from './testing.js';

afterAll(removeProjects);

const plan = (s: Service, ...files: string[]) =>
  planUpdate(
    s,
    files.map((f) => ({ path: path.join(s.dir, f), kind: 'change' as const })),
  );

const WATCHED = `services:
  web:
    build: ./web
    develop:
      watch:
        - path: ./web/src
          action: sync
          target: /app/src
          ignore:
            - node_modules/
            - "*.test.js"
          initial_sync: true
        - path: ./web/package.json
          action: rebuild
  api:
    build: ./api
    develop:
      watch:
        - path: ./api/src
          action: sync+restart
          target: /srv/src
        - path: ./api/config.yaml
          action: restart
  worker:
    build: ./worker
    develop:
      watch:
        - path: ./worker/jobs
          action: sync+exec
          target: /jobs
          exec:
            command: kill -HUP 1
`;

async function watched() {
  return project({
    'compose.yaml': WATCHED,
    'web/Dockerfile': DOCKERFILE,
    'web/package.json': '{}',
    'web/src/app.js': '',
    'api/Dockerfile': DOCKERFILE,
    'api/src/main.js': '',
    'api/config.yaml': '',
    'worker/Dockerfile': DOCKERFILE,
    'worker/jobs/a.sh': '',
  });
}

describe('develop.watch', () => {
  it('sync: a sync rule narrowed by ignore, with initial sync; only the rule paths are watched', async () => {
    const root = await watched();
    const web = service(await load(root), 'web');
    expect(web.watch).toEqual([path.join(root, 'web/src'), path.join(root, 'web/package.json')]);
    expect(web.liveUpdate).toEqual([
      {
        kind: 'sync',
        from: path.join(root, 'web/src'),
        to: '/app/src',
        ignore: ['/node_modules/', '/*.test.js'],
        initial: true,
      },
    ]);
    // The rule's ignores (relative to its path) also keep those files from counting as changes.
    expect(web.ignore).toEqual(['/web/src/node_modules/', '/web/src/*.test.js']);
    expect(plan(web, 'web/src/app.js')).toMatchObject({
      full: false,
      syncs: [{ to: '/app/src/app.js' }],
      restart: 'none',
    });
  });

  it('rebuild: a change there rebuilds and replaces', async () => {
    const web = service(await load(await watched()), 'web');
    expect(plan(web, 'web/package.json')).toMatchObject({ full: true });
  });

  it('sync+restart and restart: sync (or not), then restart the process', async () => {
    const root = await watched();
    const api = service(await load(root), 'api');
    expect(api.liveUpdate).toEqual([
      { kind: 'sync', from: path.join(root, 'api/src'), to: '/srv/src' },
      { kind: 'run', cmd: { argv: ['true'] }, trigger: ['api/config.yaml'] },
      { kind: 'restart', mode: 'process' },
    ]);
    expect(plan(api, 'api/src/main.js')).toMatchObject({
      full: false,
      syncs: [{ to: '/srv/src/main.js' }],
      runs: [],
      restart: 'process',
    });
    expect(plan(api, 'api/config.yaml')).toMatchObject({
      full: false,
      syncs: [],
      runs: [1],
      restart: 'process',
    });
  });

  it('sync+exec: sync, then run the command (split like Compose) when this rule changed', async () => {
    const root = await watched();
    const worker = service(await load(root), 'worker');
    expect(worker.liveUpdate).toEqual([
      { kind: 'sync', from: path.join(root, 'worker/jobs'), to: '/jobs' },
      { kind: 'run', cmd: { argv: ['kill', '-HUP', '1'] }, trigger: ['worker/jobs/**'] },
    ]);
    expect(plan(worker, 'worker/jobs/a.sh')).toMatchObject({
      syncs: [{ to: '/jobs/a.sh' }],
      runs: [1],
      restart: 'none',
    });
  });

  it('says nothing for these rules', async () => {
    expect((await load(await watched())).warnings).toEqual([]);
  });

  it('keeps a rebuild inside a synced folder a rebuild, and says when restart covers every rule', async () => {
    const root = await project({
      'compose.yaml': `services:
  app:
    build: .
    develop:
      watch:
        - { path: ., action: sync, target: /app, ignore: [node_modules/] }
        - { path: ./package.json, action: rebuild }
        - { path: ./conf, action: sync+restart, target: /etc/app }
`,
      Dockerfile: DOCKERFILE,
      'package.json': '{}',
      'conf/app.conf': '',
      'index.js': '',
    });
    const p = await load(root);
    const app = service(p, 'app');
    expect(app.fallBackOn).toEqual(['package.json']);
    expect(app.ignore).toEqual(['/node_modules/']);
    expect(plan(app, 'package.json')).toMatchObject({ full: true });
    expect(plan(app, 'index.js')).toMatchObject({ full: false, syncs: [{ to: '/app/index.js' }] });
    expect(warningTexts(p)).toEqual([
      'services.app.develop.watch: pitstop restarts the process after every live update of this service, also after the rules without restart (its restart is per service, not per rule)',
    ]);
  });

  it('reports a watch path outside the project, a missing target and an unknown action', async () => {
    const root = await project({
      'app/compose.yaml': `services:
  app:
    image: x
    develop:
      watch:
        - path: ../shared
          action: sync
          target: /shared
        - path: ./src
          action: sync
        - path: ./src
          action: synch
`,
      'app/src/': '',
      'shared/': '',
    });
    const found = await issues(path.join(root, 'app'));
    expect(found.map((i) => [i.line, i.col, i.path, i.message, i.hint])).toEqual([
      [
        6,
        17,
        'services.app.develop.watch[0].path',
        `the watch path ${path.join(root, 'shared')} is outside the project folder ${path.join(root, 'app')}`,
        'pitstop watches files of the project: watch paths are relative to the Compose file and stay inside its folder',
      ],
      [
        9,
        11,
        'services.app.develop.watch[1]',
        'action sync needs a "target": an absolute path in the container',
        'e.g. target: /app/src',
      ],
      [
        12,
        19,
        'services.app.develop.watch[2].action',
        'unknown watch action "synch"',
        'did you mean "sync"?',
      ],
    ]);
  });
});

describe('without develop.watch', () => {
  it('watches the build context (a change rebuilds and replaces), minus bind-mounted folders', async () => {
    const root = await project({
      'compose.yaml': `services:
  api:
    build: ./api
    volumes: ["./api/static:/srv/static:ro", "./api/templates:/srv/templates"]
  dev:
    build: .
    volumes: [".:/app"]
  db:
    image: postgres
`,
      Dockerfile: DOCKERFILE,
      'api/Dockerfile': DOCKERFILE,
      'api/static/': '',
      'api/templates/': '',
    });
    const p = await load(root);
    const api = service(p, 'api');
    expect(api.watch).toEqual([path.join(root, 'api')]);
    expect(api.ignore).toEqual(['/api/static', '/api/templates']);
    expect(api.liveUpdate).toEqual([]);
    expect(plan(api, 'api/server.js')).toMatchObject({ full: true });
    // The whole context is mounted: its changes reach the container already.
    expect(service(p, 'dev').watch).toEqual([]);
    // An image is not built from anything here.
    expect(service(p, 'db').watch).toEqual([]);
  });
});
