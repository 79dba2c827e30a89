// Checks beyond the file's shape: paths that must exist, depends_on, cycles, ports, readiness.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadProject } from './load.js';

const roots: string[] = [];

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

interface Found {
  line: number;
  col: number;
  path: string;
  message: string;
  hint?: string;
}

/** The issues loadProject reports for `yaml`, in a project holding the given folders. */
async function issuesIn(yaml: string, dirs: string[] = []): Promise<{ root: string; found: Found[] }> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'pitstop-checks-')));
  roots.push(root);
  for (const dir of dirs) await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, 'pitstop.yaml'), yaml);
  const err = await loadProject(path.join(root, 'pitstop.yaml')).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  const found = (err as ConfigError).issues.map(({ line, col, path: keyPath, message, hint }) =>
    hint === undefined ? { line, col, path: keyPath, message } : { line, col, path: keyPath, message, hint },
  );
  return { root, found };
}

const issues = async (yaml: string, dirs: string[] = []) => (await issuesIn(yaml, dirs)).found;

describe('paths', () => {
  it('reports a missing service dir, suggesting a close sibling', async () => {
    const { root, found } = await issuesIn('services:\n  api:\n    dir: servces/api\n    run: x\n', [
      'services/api',
    ]);
    expect(found).toEqual([
      {
        line: 3,
        col: 10,
        path: 'services.api.dir',
        message: 'no such directory "servces/api"',
        hint: `dir is relative to the folder holding the project file (${root})`,
      },
    ]);
    expect(await issues('services:\n  api:\n    dir: ./ap\n    run: x\n', ['api'])).toEqual([
      {
        line: 3,
        col: 10,
        path: 'services.api.dir',
        message: 'no such directory "./ap"',
        hint: 'did you mean "./api"?',
      },
    ]);
  });

  it('reports a dir that is a file', async () => {
    expect(await issues('services:\n  api:\n    dir: pitstop.yaml\n    run: x\n')).toEqual([
      {
        line: 3,
        col: 10,
        path: 'services.api.dir',
        message: '"pitstop.yaml" is not a directory',
        hint: 'dir must name a folder',
      },
    ]);
  });

  it('reports missing watch paths, run.cwd, build cwd and sync.from, relative to the service dir', async () => {
    const yaml = `
services:
  api:
    dir: api
    watch: [src, lib]
    build: [{ cmd: make, cwd: tools }]
    run: { cmd: ./api, cwd: bin }
    live_update:
      - sync: { from: assets, to: /app/assets }
`.slice(1);
    const { root, found } = await issuesIn(yaml, ['api/src']);
    const apiDir = path.join(root, 'api');
    expect(found).toEqual([
      {
        line: 4,
        col: 18,
        path: 'services.api.watch[1]',
        message: 'no such file or directory "lib"',
        hint: `watch is relative to the service dir (${apiDir})`,
      },
      {
        line: 5,
        col: 31,
        path: 'services.api.build[0].cwd',
        message: 'no such directory "tools"',
        hint: `cwd is relative to the service dir (${apiDir})`,
      },
      {
        line: 6,
        col: 29,
        path: 'services.api.run.cwd',
        message: 'no such directory "bin"',
        hint: `cwd is relative to the service dir (${apiDir})`,
      },
      {
        line: 8,
        col: 23,
        path: 'services.api.live_update[0].sync.from',
        message: 'no such file or directory "assets"',
        hint: `from is relative to the service dir (${apiDir})`,
      },
    ]);
  });

  it('reports a path through a file as missing, not as a crash', async () => {
    const found = await issues('services:\n  api:\n    watch: [pitstop.yaml/x]\n    run: x\n');
    expect(found.map((i) => [i.line, i.col, i.message])).toEqual([
      [3, 13, 'no such file or directory "pitstop.yaml/x"'],
    ]);
  });

  it('does not repeat a wrong dir for every path under it', async () => {
    const found = await issues('services:\n  api:\n    dir: nope\n    watch: [src]\n    run: x\n');
    expect(found.map((i) => i.path)).toEqual(['services.api.dir']);
  });
});

describe('depends_on', () => {
  it('reports unknown services with a suggestion, in list and map form', async () => {
    const yaml = `
services:
  db:
    run: postgres
  api:
    run: x
    depends_on: [dbb]
  web:
    run: x
    depends_on:
      apii: { condition: started }
      cache:
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 18,
        path: 'services.api.depends_on[0]',
        message: 'unknown service "dbb"',
        hint: 'did you mean "db"?',
      },
      {
        line: 10,
        col: 7,
        path: 'services.web.depends_on.apii',
        message: 'unknown service "apii"',
        hint: 'did you mean "api"?',
      },
      {
        line: 11,
        col: 7,
        path: 'services.web.depends_on.cache',
        message: 'unknown service "cache"',
        hint: 'the services are: db, api, web',
      },
    ]);
  });

  it('reports a service depending on itself, and one listed twice', async () => {
    const yaml = 'services:\n  db:\n    run: x\n  api:\n    run: x\n    depends_on: [db, api, db]\n';
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 22,
        path: 'services.api.depends_on[1]',
        message: 'service "api" depends on itself',
        hint: 'remove this entry',
      },
      {
        line: 6,
        col: 27,
        path: 'services.api.depends_on[2]',
        message: '"db" is listed twice',
        hint: 'remove one of them',
      },
    ]);
  });

  it('reports a cycle once, at the entry that closes it', async () => {
    const yaml = `
services:
  a:
    run: x
    depends_on: [b]
  b:
    run: x
    depends_on: [c]
  c:
    run: x
    depends_on:
      a: { condition: started }
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 11,
        col: 7,
        path: 'services.c.depends_on.a',
        message: 'dependency cycle: a → b → c → a',
        hint: 'remove one of the depends_on entries in this cycle',
      },
    ]);
  });

  it('still checks the depends_on of a service with other problems', async () => {
    const found = await issues(
      'services:\n  api:\n    run: x\n    ruun: y\n    depends_on: [wbe]\n  web:\n    run: y\n',
    );
    expect(found.map((i) => [i.path, i.message])).toEqual([
      ['services.api.ruun', 'unknown key "ruun"'],
      ['services.api.depends_on[0]', 'unknown service "wbe"'],
    ]);
  });
});

describe('ports', () => {
  it('reports a port declared twice at the second declaration', async () => {
    const yaml = `
services:
  api:
    run: x
    ports: [8080, "9090"]
  web:
    run: x
    ports: [3000, 9090, 3000, "70000"]
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 7,
        col: 19,
        path: 'services.web.ports[1]',
        message: 'port 9090 is already declared by service "api"',
        hint: 'two services cannot listen on the same port',
      },
      {
        line: 7,
        col: 25,
        path: 'services.web.ports[2]',
        message: 'port 3000 is listed twice',
        hint: 'remove one of them',
      },
      {
        line: 7,
        col: 31,
        path: 'services.web.ports[3]',
        message: 'a port must be between 1 and 65535, got 70000',
      },
    ]);
  });
});

describe('ready', () => {
  it('wants exactly one kind of check', async () => {
    const yaml = `
services:
  api:
    run: x
    ready:
      http: http://localhost:8080/
      tcp: 8080
  web:
    run: x
    ready: { timeout: 5s }
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 7,
        path: 'services.api.ready.tcp',
        message: 'ready has "http" and "tcp"; a service has one readiness check',
        hint: 'keep only one of them',
      },
      {
        line: 9,
        col: 12,
        path: 'services.web.ready',
        message: 'ready needs one of "http", "tcp", "log", "cmd"',
        hint: 'e.g. tcp: 8080, or leave ready out when the service has nothing to wait for',
      },
    ]);
  });

  it('checks the regular expression, the URL and the tcp address', async () => {
    const yaml = `
services:
  a:
    run: x
    ready: { log: "listening (on" }
  b:
    run: x
    ready: { http: "localhost:8080" }
  c:
    run: x
    ready: { tcp: "localhost" }
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 4,
        col: 19,
        path: 'services.a.ready.log',
        message: 'invalid regular expression: Unterminated group',
        hint: 'the pattern is a JavaScript regular expression; escape special characters with \\',
      },
      {
        line: 7,
        col: 20,
        path: 'services.b.ready.http',
        message: 'expected an http or https URL, got "localhost:8080"',
        hint: 'e.g. http://127.0.0.1:8080/health',
      },
      {
        line: 10,
        col: 19,
        path: 'services.c.ready.tcp',
        message: 'expected a port or "host:port", got "localhost"',
        hint: 'e.g. 5432 or "db.local:5432"',
      },
    ]);
  });
});

describe('build and live_update', () => {
  it('wants unique step names and one action per live_update item', async () => {
    const yaml = `
services:
  api:
    run: x
    build:
      - { name: gen, cmd: make gen }
      - { name: gen, cmd: make }
    live_update:
      - sync: { from: ., to: /app }
        restart: process
      - {}
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 17,
        path: 'services.api.build[1].name',
        message: 'duplicate build step name "gen"',
        hint: 'give each step of a service its own name',
      },
      {
        line: 9,
        col: 9,
        path: 'services.api.live_update[0].restart',
        message: 'a live_update step has "sync" and "restart"; each step does one thing',
        hint: 'split them into separate list items',
      },
      {
        line: 10,
        col: 9,
        path: 'services.api.live_update[1]',
        message: 'a live_update step needs one of "sync", "run", "restart"',
        hint: 'e.g. - restart: process',
      },
    ]);
  });
});
