// Several Compose files merged in order (-f, compose.override.yaml) and `extends`, with Compose's
// merge rules, and errors that point into the file where the key was written.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKERFILE, issues, load, project, removeProjects, service } from './testing.js';

afterAll(removeProjects);

const BASE = `services:
  api:
    build: ./api
    command: ["node", "server.js"]
    environment:
      - A=1
      - B=2
    ports: ["8080:80", "9229:9229"]
    volumes:
      - ./src:/app/src
      - data:/data
    depends_on: [db]
  db:
    image: postgres
volumes:
  data:
`;

describe('several files', () => {
  it('reads compose.override.yaml after compose.yaml, merging with Compose rules', async () => {
    const root = await project({
      'compose.yaml': BASE,
      'compose.override.yml': `services:
  api:
    command: ["node", "--inspect", "server.js"]
    environment:
      B: two
      C: "3"
    ports: ["9229:9229", "3000:3000"]
    volumes:
      - ./other:/app/src:ro
    depends_on:
      cache:
        condition: service_started
  cache:
    image: redis
`,
      'api/Dockerfile': DOCKERFILE,
      'src/': '',
      'other/': '',
    });
    const p = await load(root);
    expect(p.services.map((s) => s.name)).toEqual(['api', 'db', 'cache']);
    const api = service(p, 'api');
    // command is replaced, not appended; maps merge; ports append without duplicates;
    // volumes are unique by target.
    expect(api.docker.command).toEqual(['node', '--inspect', 'server.js']);
    expect(api.run.env).toEqual({ A: '1', B: 'two', C: '3' });
    expect(api.publish).toEqual([
      { host: 8080, container: 80 },
      { host: 9229, container: 9229 },
      { host: 3000, container: 3000 },
    ]);
    expect(api.docker.volumes).toEqual([
      { kind: 'bind', source: path.join(root, 'other'), target: '/app/src', readOnly: true },
      { kind: 'volume', source: 'data', target: '/data', readOnly: false },
    ]);
    expect(api.dependsOn.map((d) => d.service)).toEqual(['db', 'cache']);
  });

  it('merges -f files in order, relative paths relative to the first file', async () => {
    const root = await project({
      'compose.yaml': BASE,
      'deploy/compose.dev.yaml': 'services:\n  api:\n    build: ./api2\n',
      'api2/Dockerfile': DOCKERFILE,
      'src/': '',
      'compose.override.yaml': 'services:\n  api:\n    image: ignored-when-files-are-named\n',
    });
    const p = await load(root, { files: ['compose.yaml', 'deploy/compose.dev.yaml'] });
    expect(service(p, 'api').docker.build?.context).toBe(path.join(root, 'api2'));
    expect(p.warnings).toEqual([]);
  });

  it('honours !reset and !override in the overriding file', async () => {
    const root = await project({
      'compose.yaml': BASE,
      'compose.override.yaml': `services:
  api:
    ports: !override ["80:80"]
    environment: !reset {}
    depends_on: !reset []
`,
      'api/Dockerfile': DOCKERFILE,
      'src/': '',
    });
    const api = service(await load(root), 'api');
    expect(api.publish).toEqual([{ host: 80, container: 80 }]);
    expect(api.run.env).toEqual({});
    expect(api.dependsOn).toEqual([]);
  });

  it('points an error at the file that wrote the key', async () => {
    const root = await project({
      'compose.yaml': BASE,
      'compose.override.yaml': 'services:\n  api:\n    restart: sometimes\n',
      'api/Dockerfile': DOCKERFILE,
      'src/': '',
    });
    expect(await issues(root)).toEqual([
      {
        file: 'compose.override.yaml',
        line: 3,
        col: 14,
        path: 'services.api.restart',
        message: 'unknown restart policy "sometimes"',
        hint: 'use no, always, on-failure[:max-retries] or unless-stopped',
      },
    ]);
  });
});

describe('extends', () => {
  it('extends a service of the same file, own keys merged on top', async () => {
    const root = await project({
      'compose.yaml': `services:
  base:
    image: node:20-alpine
    environment: { A: "1", B: "2" }
    working_dir: /app
  web:
    extends: base
    environment: { B: two }
    command: npm start
`,
    });
    const web = service(await load(root), 'web');
    expect(web.docker).toMatchObject({ image: 'node:20-alpine', workdir: '/app', command: ['npm', 'start'] });
    expect(web.run.env).toEqual({ A: '1', B: 'two' });
  });

  it('extends a service of another file, whose paths stay relative to that file', async () => {
    const root = await project({
      'compose.yaml': `services:
  api:
    extends:
      file: common/services.yaml
      service: node-app
    ports: ["8080:8080"]
`,
      'common/services.yaml': `services:
  node-app:
    build: ./app
    env_file: ./app.env
`,
      'common/app/Dockerfile': DOCKERFILE,
      'common/app.env': 'FROM_FILE=yes\n',
    });
    const api = service(await load(root), 'api');
    expect(api.docker.build?.context).toBe(path.join(root, 'common/app'));
    expect(api.run.env).toEqual({ FROM_FILE: 'yes' });
    expect(api.publish).toEqual([{ host: 8080, container: 8080 }]);
  });

  it('reports a loop naming the chain, once', async () => {
    const root = await project({
      'compose.yaml': `services:
  a:
    extends: b
    image: x
  b:
    extends: c
  c:
    extends:
      service: a
`,
    });
    expect(await issues(root)).toEqual([
      {
        file: 'compose.yaml',
        line: 8,
        col: 5,
        path: 'services.c.extends',
        message: 'extends loop: a → b → c → a',
        hint: 'a service cannot extend itself, directly or through others; remove one "extends" in the chain',
      },
    ]);
  });

  it('reports a missing base service or file at its position', async () => {
    const root = await project({
      'compose.yaml': `services:
  a:
    extends: { service: bse }
  base:
    image: x
  b:
    extends: { service: x, file: nope.yaml }
`,
    });
    const found = await issues(root);
    expect(found[0]?.hint).toBe('did you mean "base"?');
    expect(found.map((i) => [i.line, i.col, i.path, i.message])).toEqual([
      [3, 25, 'services.a.extends.service', `no service "bse" in ${path.join(root, 'compose.yaml')}`],
      [7, 34, 'services.b.extends.file', `cannot read ${path.join(root, 'nope.yaml')} (ENOENT)`],
    ]);
  });
});
