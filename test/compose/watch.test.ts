// develop.watch against the real engine: each Compose action's effect seen in the containers.
// sync (files appear, nothing restarts), rebuild (a new image, a new container), sync+restart
// (files appear, the process restarts in the same container), restart (the process restarts),
// sync+exec with initial_sync (files there from the start; on a save they appear and the command
// ran in the container).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import { containerOf, inspectContainer, removeImages } from '../support/docker-cli.js';
import { eventually, freePort, get, makeProject, removeProjects, writeFile } from '../support/project.js';
import { ready, stopClean, stopSessions, up } from '../support/session.js';
import { catIn, httpd, saved, uniqueName } from './support.js';

// The process writes its pid and the config it read at start where it serves them: a restart of
// the process (not of the container) shows as a new pid with the same container.
const APP = `FROM busybox:1.36
COPY conf /etc/app
CMD ["sh", "-c", "busybox mkdir -p /tmp/www && busybox cp /etc/app/app.conf /tmp/www/conf.txt && echo $$ > /tmp/www/pid.txt && exec busybox httpd -f -p 8080 -h /tmp/www"]
`;

describe.runIf(dockerAvailable())('develop.watch actions', () => {
  const name = uniqueName('pitstop-compose-watch');
  let dir = '';
  let session: PitstopSession;
  const port = { site: 0, app: 0 };
  const id = (service: string) => containerOf(name, dir, service);
  const appState = async () => ({
    pid: await get(`http://127.0.0.1:${port.app}/pid.txt`),
    conf: await get(`http://127.0.0.1:${port.app}/conf.txt`),
  });

  beforeAll(async () => {
    await prepareBaseImages();
    port.site = await freePort();
    port.app = await freePort();
    dir = makeProject({
      'compose.yaml': `name: ${name}
services:
  site:
    build: ./site
    ports: ["${port.site}:8080"]
    develop:
      watch:
        - path: ./site/html
          action: sync
          target: /srv/www
        - path: ./site/version.txt
          action: rebuild
  app:
    build: ./app
    ports: ["${port.app}:8080"]
    develop:
      watch:
        - path: ./app/conf
          action: sync+restart
          target: /etc/app
        - path: ./app/reload.txt
          action: restart
  jobs:
    image: busybox:1.36
    command: ["busybox", "sleep", "86400"]
    develop:
      watch:
        - path: ./jobs/tasks
          action: sync+exec
          target: /tasks
          initial_sync: true
          exec:
            command: ["sh", "-c", "busybox cat /tasks/*.txt > /tmp/ran.txt"]
`,
      'site/Dockerfile': httpd('/srv/www', 'COPY html /srv/www\nCOPY version.txt /srv/www/version.txt\n'),
      'site/html/index.html': 'page v1\n',
      'site/version.txt': 'v1\n',
      'app/Dockerfile': APP,
      'app/conf/app.conf': 'conf v1\n',
      'app/reload.txt': 'reload 1\n',
      'jobs/tasks/a.txt': 'task a v1\n',
    });
    session = up(dir);
    await ready(session, 120_000);
    await eventually(async () => (await appState()).pid, 20_000, 'the app answering');
    await eventually(() => get(`http://127.0.0.1:${port.site}/index.html`), 20_000, 'the site answering');
  }, 180_000);

  afterAll(async () => {
    await stopSessions();
    if (dir) await removeProject(name, dir);
    removeImages(name);
    removeProjects();
  });

  it('sync: the file is in the running container, which keeps running untouched', async () => {
    const before = id('site');
    const record = await saved(session, 'site', () => writeFile(dir, 'site/html/index.html', 'page v2\n'));
    expect(record, record.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(record.spans.map((s) => s.name)).not.toContain('restart');
    expect(catIn(before, '/srv/www/index.html')).toBe('page v2\n');
    expect(await get(`http://127.0.0.1:${port.site}/index.html`)).toBe('page v2\n');
    expect(id('site')).toBe(before);
  });

  it('rebuild: a new image and a new container with the change', async () => {
    const before = id('site');
    const imageBefore = inspectContainer(before).Image;
    const record = await saved(session, 'site', () => writeFile(dir, 'site/version.txt', 'v2\n'));
    expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
    const after = id('site');
    expect(after).not.toBe(before);
    expect(inspectContainer(after).Image).not.toBe(imageBefore);
    expect(catIn(after, '/srv/www/version.txt')).toBe('v2\n');
    // Synced files are part of the new image too: nothing goes back to the old version.
    expect(catIn(after, '/srv/www/index.html')).toBe('page v2\n');
  });

  it('sync+restart: the file is synced and the process restarts in the same container', async () => {
    const before = id('app');
    const { pid } = await appState();
    const record = await saved(session, 'app', () => writeFile(dir, 'app/conf/app.conf', 'conf v2\n'));
    expect(record, record.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(record.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['sync', 'restart']));
    const state = await eventually(
      async () => {
        const now = await appState();
        return now.pid && now.pid !== pid && now.conf === 'conf v2\n' ? now : undefined;
      },
      20_000,
      'the restarted process with the new config',
    );
    expect(state.conf).toBe('conf v2\n');
    expect(id('app')).toBe(before);
    expect(inspectContainer(before).State.Running).toBe(true);
  });

  it('restart: the process restarts (nothing synced), the container stays', async () => {
    const before = id('app');
    const { pid } = await appState();
    const record = await saved(session, 'app', () => writeFile(dir, 'app/reload.txt', 'reload 2\n'));
    expect(record, record.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(record.spans.map((s) => s.name)).toContain('restart');
    expect(record.spans.map((s) => s.name)).not.toContain('sync');
    await eventually(
      async () => {
        const now = (await appState()).pid;
        return now && now !== pid;
      },
      20_000,
      'a new process',
    );
    expect(id('app')).toBe(before);
    expect(catIn(before, '/etc/app/reload.txt')).toBeUndefined();
  });

  it('sync+exec: the file is synced, then the command runs in the container', async () => {
    const c = id('jobs');
    // initial_sync: the image has no tasks, the start copied them in.
    expect(catIn(c, '/tasks/a.txt')).toBe('task a v1\n');
    const record = await saved(session, 'jobs', () => writeFile(dir, 'jobs/tasks/b.txt', 'task b v1\n'));
    expect(record, record.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(record.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['sync', 'run']));
    expect(catIn(c, '/tasks/b.txt')).toBe('task b v1\n');
    expect(catIn(c, '/tmp/ran.txt')).toBe('task a v1\ntask b v1\n');
    expect(id('jobs')).toBe(c);
  });

  it('stops cleanly and leaves nothing behind', async () => {
    expect(fs.existsSync(path.join(dir, 'pitstop.yaml'))).toBe(false);
    await stopClean(session);
    expect(await leftovers(name, dir)).toEqual([]);
  });
});
