// A realistic Compose project mapped to pitstop's model, key by key, with Compose semantics.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKERFILE, issues, load, project, removeProjects, service, warningTexts } from './testing.js';

afterAll(removeProjects);

const SHOP = `name: Shop_App
x-logging: &defaults
  restart: unless-stopped
  environment:
    LOG_LEVEL: debug
services:
  db:
    build: ./db
    environment:
      POSTGRES_PASSWORD: secret
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      timeout: 3s
      retries: 4
      start_period: 2s
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./db/init.sql:/docker-entrypoint-initdb.d/init.sql:ro
    stop_signal: INT
    stop_grace_period: 1m30s
  api:
    <<: *defaults
    build:
      context: ./api
      dockerfile: dev.Dockerfile
      args:
        - NODE_ENV=development
      target: dev
    command: node --watch server.js
    entrypoint: ["/usr/bin/env"]
    env_file: [./api/.env.dev]
    ports:
      - "8080:80"
      - 9229:9229
    depends_on:
      db:
        condition: service_healthy
        restart: true
      migrate:
        condition: service_completed_successfully
    working_dir: /srv
    user: "1000:1000"
  migrate:
    image: busybox:1.36
    command: ["echo", "migrated"]
    restart: "no"
    depends_on: [db]
  web:
    image: node:20-alpine
    ports:
      - target: 3000
        published: "3000"
    volumes:
      - type: bind
        source: ./web
        target: /app
        read_only: true
      - /app/node_modules
    restart: on-failure
volumes:
  pgdata: {}
`;

async function shop() {
  return project({
    'compose.yaml': SHOP,
    'db/Dockerfile': DOCKERFILE,
    'db/init.sql': 'select 1;\n',
    'api/dev.Dockerfile': DOCKERFILE,
    'api/.env.dev': 'PORT=80\nLOG_LEVEL=info\n',
    'web/index.js': '',
  });
}

describe('a Compose project', () => {
  it('takes its name from `name:`, normalized as Compose does, and keeps file order', async () => {
    const p = await load(await shop());
    expect(p.name).toBe('shop_app');
    expect(p.services.map((s) => s.name)).toEqual(['db', 'api', 'migrate', 'web']);
    expect(p.services.every((s) => s.runtime === 'docker' && s.dir === p.root && s.build.length === 0)).toBe(
      true,
    );
  });

  it('maps build, command, entrypoint, environment, env_file, ports, user and working_dir', async () => {
    const root = await shop();
    const api = service(await load(root), 'api');
    expect(api.docker).toEqual({
      build: {
        context: path.join(root, 'api'),
        dockerfile: path.join(root, 'api/dev.Dockerfile'),
        args: { NODE_ENV: 'development' },
        target: 'dev',
      },
      command: ['node', '--watch', 'server.js'],
      entrypoint: ['/usr/bin/env'],
      env: {},
      volumes: [],
      workdir: '/srv',
      user: '1000:1000',
    });
    // env_file first, `environment` (here from the x- anchor through <<) over it.
    expect(api.run.env).toEqual({ PORT: '80', LOG_LEVEL: 'debug' });
    expect(api.publish).toEqual([
      { host: 8080, container: 80 },
      { host: 9229, container: 9229 },
    ]);
    expect(api.ports).toEqual([8080, 9229]);
    expect(api.restartPolicy).toBe('always');
    expect(api.dependsOn).toEqual([
      { service: 'db', condition: 'ready', restart: true },
      { service: 'migrate', condition: 'completed', restart: false },
    ]);
  });

  it('turns a healthcheck into a readiness check run in the container', async () => {
    const db = service(await load(await shop()), 'db');
    expect(db.ready).toEqual({
      check: { kind: 'exec', cmd: { shell: 'pg_isready -U postgres' }, intervalMs: 1000 },
      timeoutMs: 2000 + 4 * 5000,
    });
    expect(db.run).toMatchObject({
      stopSignal: 'SIGINT',
      stopTimeoutMs: 90_000,
      env: { POSTGRES_PASSWORD: 'secret' },
    });
  });

  it('has no readiness check without a healthcheck, and Compose defaults for the rest', async () => {
    const p = await load(await shop());
    const migrate = service(p, 'migrate');
    expect(migrate.ready.check).toEqual({ kind: 'none' });
    expect(migrate.docker).toEqual({
      image: 'busybox:1.36',
      command: ['echo', 'migrated'],
      env: {},
      volumes: [],
    });
    expect(migrate.dependsOn).toEqual([{ service: 'db', condition: 'started', restart: false }]);
    expect(migrate.restartPolicy).toBe('no');
    expect(migrate.run).toMatchObject({ stopSignal: 'SIGTERM', stopTimeoutMs: 10_000 });
    expect(service(p, 'web').restartPolicy).toBe('on-failure');
  });

  it('maps named, bind and anonymous volumes', async () => {
    const root = await shop();
    const p = await load(root);
    expect(service(p, 'db').docker.volumes).toEqual([
      { kind: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', readOnly: false },
      {
        kind: 'bind',
        source: path.join(root, 'db/init.sql'),
        target: '/docker-entrypoint-initdb.d/init.sql',
        readOnly: true,
      },
    ]);
    expect(service(p, 'web').docker.volumes).toEqual([
      { kind: 'bind', source: path.join(root, 'web'), target: '/app', readOnly: true },
      { kind: 'volume', source: 'web_app_node_modules', target: '/app/node_modules', readOnly: false },
    ]);
    expect(service(p, 'web').publish).toEqual([{ host: 3000, container: 3000 }]);
  });

  it('says nothing about what it supports', async () => {
    expect((await load(await shop())).warnings).toEqual([]);
  });

  it('uses the folder name, normalized, when there is no name', async () => {
    const root = await project({ 'My.Project/compose.yaml': 'services:\n  a:\n    image: x\n' });
    expect((await load(path.join(root, 'My.Project'))).name).toBe('myproject');
  });

  it('splits string commands like Compose and warns about what a shell would have done', async () => {
    const root = await project({
      'compose.yaml': `services:
  a:
    image: x
    command: sh -c "npm ci && npm start"
    entrypoint: ""
  b:
    image: x
    command: npm ci && npm start
`,
    });
    const p = await load(root);
    expect(service(p, 'a').docker.command).toEqual(['sh', '-c', 'npm ci && npm start']);
    expect(service(p, 'a').docker.entrypoint).toEqual([]);
    expect(service(p, 'b').docker.command).toEqual(['npm', 'ci']);
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /\/compose\.yaml:8:5: services\.b\.command: no shell runs this string.*drop "&& npm start"/,
      ),
    ]);
  });
});

describe('what pitstop does not support', () => {
  it('reports a key that is not Compose at all, with a suggestion', async () => {
    const root = await project({
      'compose.yaml': `version: "3.9"
services:
  db:
    image: postgres:16
    deploy:
      resources: { limits: { memory: 1g } }
    container_name: my-db
    labels: [a=b]
    networks: [back]
    ports: ["5432", "127.0.0.1:5433:5432", "53:53/udp"]
    build:
      context: .
      cache_from: [x]
    imgae: postgres
networks:
  back:
secrets:
  token: { file: ./token }
`,
      Dockerfile: DOCKERFILE,
    });
    const found = await issues(root);
    expect(found).toEqual([
      {
        file: 'compose.yaml',
        line: 14,
        col: 5,
        path: 'services.db.imgae',
        message: 'unknown key "imgae"',
        hint: 'did you mean "image"?',
      },
    ]);
  });

  it('lists each unsupported key once', async () => {
    const root = await project({
      'compose.yaml': `version: "3.9"
services:
  db:
    image: postgres:16
    deploy:
      resources: { limits: { memory: 1g } }
    container_name: my-db
    labels: [a=b]
    networks:
      back:
        aliases: [database]
    ports: ["5432", "127.0.0.1:5433:5432", "53:53/udp"]
    tmpfs: /tmp
  cache:
    image: redis
    deploy: {}
networks:
  back:
secrets:
  token: { file: ./token }
`,
    });
    const p = await load(root);
    expect(warningTexts(p)).toEqual([
      'version: obsolete in Compose, ignored; you can remove it',
      'secrets: not supported by pitstop yet (ignored)',
      'networks.back: pitstop puts every service on one network of its own, where each is reachable by its service name; this network is not created',
      'services.db.deploy: not supported by pitstop yet (ignored)',
      'services.db.labels: not supported by pitstop yet (ignored)',
      'services.db.tmpfs: not supported by pitstop yet (ignored)',
      'services.db.container_name: pitstop names its containers itself; other services reach this one by its service name "db"',
      'services.db.networks.back.aliases: not supported by pitstop yet (ignored)',
      'services.db.ports[0]: no host port: Compose would pick a random one, pitstop needs a fixed host port (not published); write "HOST:CONTAINER"',
      'services.db.ports[2]: udp ports are not supported by pitstop yet (not published)',
      'services.cache.deploy: not supported by pitstop yet (ignored)',
    ]);
    expect(p.warnings[3]).toMatch(/\/compose\.yaml:5:5: /);
    // Kept to the address asked for: a database published on loopback stays there.
    expect(service(p, 'db').publish).toEqual([{ host: 5433, container: 5432, hostIp: '127.0.0.1' }]);
  });

  it('expands port ranges', async () => {
    const root = await project({
      'compose.yaml': 'services:\n  a:\n    image: x\n    ports: ["8000-8002:9000-9002"]\n',
    });
    expect(service(await load(root), 'a').publish).toEqual([
      { host: 8000, container: 9000 },
      { host: 8001, container: 9001 },
      { host: 8002, container: 9002 },
    ]);
  });
});
