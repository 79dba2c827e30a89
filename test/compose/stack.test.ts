// `pitstop up` in a folder with only a compose.yaml: a web front, an API and a PostgreSQL-style
// database (a busybox server that takes a while to accept connections, with a healthcheck), the
// API depending on the database being healthy. Checked from outside: the containers, their
// network, names resolving between services, the start order, the published port.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { Project, Service } from '../../src/model/project.js';
import { containerName, networkName } from '../../src/runtimes/docker/container-config.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import { containerOf, docker, inspectContainer, removeImages } from '../support/docker-cli.js';
import { eventually, freePort, get, makeProject, removeProjects } from '../support/project.js';
import { is, ready, stopClean, stopSessions, up } from '../support/session.js';
import { catIn, httpd, uniqueName } from './support.js';

// The database answers only after 2 s, like a server replaying its log: anything that reaches it
// earlier fails. Its healthcheck runs in its container, as Docker would run it.
const DB = `FROM busybox:1.36
CMD ["sh", "-c", "busybox mkdir -p /srv/db && sleep 2 && echo accepting > /srv/db/status && exec busybox httpd -f -p 5432 -h /srv/db"]
`;
// The API asks the database once at start: it fails (and stays down) unless the database is up.
const API = `FROM busybox:1.36
CMD ["sh", "-c", "busybox mkdir -p /srv/www && busybox wget -q -O /srv/www/db.txt \\"$DATABASE_URL\\" && exec busybox httpd -f -p 8080 -h /srv/www"]
`;
const WEB = httpd('/srv/www', 'COPY index.html /srv/www/index.html\n');

describe.runIf(dockerAvailable())('a Compose project with a database, an API and a web front', () => {
  const name = uniqueName('pitstop-compose-stack');
  let dir = '';
  // Names carry the project and a hash of its folder (see container-config.ts).
  const project = () => ({ name, root: dir }) as Project;
  let port = 0;
  let session: PitstopSession;
  const id = (service: string) => containerOf(name, dir, service);

  beforeAll(async () => {
    await prepareBaseImages();
    port = await freePort();
    dir = makeProject({
      'compose.yaml': `name: ${name}
services:
  web:
    build: ./web
    ports: ["127.0.0.1:${port}:8080"]
    depends_on: [api]
  api:
    build:
      context: ./api
    environment:
      DATABASE_URL: http://db:5432/status
    depends_on:
      db:
        condition: service_healthy
  db:
    build: ./db
    healthcheck:
      test: ["CMD", "busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5432/status"]
      interval: 1s
      retries: 30
    volumes:
      - dbdata:/var/lib/db
volumes:
  dbdata:
`,
      'db/Dockerfile': DB,
      'api/Dockerfile': API,
      'web/Dockerfile': WEB,
      'web/index.html': 'shop front\n',
    });
    expect(fs.existsSync(`${dir}/pitstop.yaml`)).toBe(false);
    session = up(dir);
    await ready(session, 120_000);
  }, 180_000);

  afterAll(async () => {
    await stopSessions();
    if (dir) await removeProject(name, dir);
    removeImages(name);
    removeProjects();
  });

  it('starts every service from its locally built image, in pitstop containers', () => {
    const starts = session.records.filter((r) => r.kind === 'start');
    expect(starts.map((r) => r.service).sort()).toEqual(['api', 'db', 'web']);
    for (const r of starts) expect(r.outcome, `${r.service}: ${r.error?.message}`).toBe('ok');
    for (const service of ['web', 'api', 'db']) {
      const info = inspectContainer(id(service));
      expect(info.State.Running).toBe(true);
      expect(info.Name).toBe(`/${containerName(project(), { name: service } as Service)}`);
      // pitstop's own labels, never Compose's: the two tools do not mistake each other's containers.
      expect(info.Config.Labels).toMatchObject({
        'dev.pitstop.project': name,
        'dev.pitstop.service': service,
      });
      expect(Object.keys(info.Config.Labels ?? {}).some((l) => l.startsWith('com.docker.compose'))).toBe(
        false,
      );
    }
  });

  it('puts the services on one network where each is reachable by its name', () => {
    const network = JSON.parse(docker('network', 'inspect', networkName(project())))[0] as {
      Containers: Record<string, { Name: string }>;
    };
    expect(
      Object.values(network.Containers)
        .map((c) => c.Name)
        .sort(),
    ).toEqual(['api', 'db', 'web'].map((s) => containerName(project(), { name: s } as Service)));
  });

  it('starts the API only once the database is healthy', () => {
    // The API asked db:5432 by name at its start and got the answer of a ready database.
    expect(catIn(id('api'), '/srv/www/db.txt')).toBe('accepting\n');
    const start = (service: string) =>
      session.events.find(
        is('update-finished', (e) => e.record.kind === 'start' && e.record.service === service),
      )!.record;
    const dbReady = session.events.find(
      is('service-state', (e) => e.service === 'db' && e.state === 'ready'),
    )!.at;
    expect(start('api').startedAt).toBeGreaterThanOrEqual(dbReady);
    const order = session.events
      .filter(is('update-finished', (e) => e.record.kind === 'start'))
      .map((e) => e.record.service);
    expect(order.indexOf('db')).toBeLessThan(order.indexOf('api'));
    expect(order.indexOf('api')).toBeLessThan(order.indexOf('web'));
  });

  it('mounts the named volume and publishes the web port on the host address asked for', async () => {
    const mounts = inspectContainer(id('db')).Mounts;
    expect(mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Destination: '/var/lib/db' }));
    expect(inspectContainer(id('web')).HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    expect(await eventually(() => get(`http://127.0.0.1:${port}/index.html`), 20_000, 'the web port')).toBe(
      'shop front\n',
    );
  });

  it('stops cleanly and leaves nothing behind', async () => {
    await stopClean(session);
    expect(await leftovers(name, dir)).toEqual([]);
  });
});
