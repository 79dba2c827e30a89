// Mistakes in the file's syntax and shape: each must come out as an issue at the right line and
// column, in words a user can act on.
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

/** The issues loadProject reports for `yaml` (which must fail to load). */
async function issues(yaml: string): Promise<Found[]> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'pitstop-errors-')));
  roots.push(root);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'pitstop.yaml'), yaml);
  const err = await loadProject(path.join(root, 'pitstop.yaml')).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).issues.map(({ line, col, path: keyPath, message, hint }) =>
    hint === undefined ? { line, col, path: keyPath, message } : { line, col, path: keyPath, message, hint },
  );
}

describe('YAML syntax', () => {
  it('reports a syntax error with its position', async () => {
    expect(await issues('services:\n  api:\n    run: "./bin/api\n')).toEqual([
      {
        line: 4,
        col: 1,
        path: 'services.api.run',
        message: 'Missing closing "quote',
        hint: 'check the brackets, quotes, colons and indentation on this line and the one above',
      },
    ]);
    expect(await issues('services:\n  api: run: x\n')).toEqual([
      {
        line: 2,
        col: 8,
        path: 'services.api.run',
        message: 'Nested mappings are not allowed in compact mappings',
        hint: 'check the brackets, quotes, colons and indentation on this line and the one above',
      },
    ]);
  });

  it('reports a duplicate key at the second one', async () => {
    expect(await issues('services:\n  api:\n    run: a\n    run: b\n')).toEqual([
      {
        line: 4,
        col: 5,
        path: 'services.api.run',
        message: 'duplicate key: this key is already set in the same map',
        hint: 'remove one of the two, or merge them',
      },
    ]);
  });

  it('reports an empty file and a document that is not a map', async () => {
    const hint = 'a project file is a map with at least a "services" key; see README';
    expect(await issues('')).toEqual([{ line: 1, col: 1, path: '', message: 'the file is empty', hint }]);
    expect(await issues('# nothing yet\n')).toEqual([
      { line: 1, col: 1, path: '', message: 'the file is empty', hint },
    ]);
    expect(await issues('\n- api\n- web\n')).toEqual([
      { line: 2, col: 1, path: '', message: 'expected a map at the top level, got a list', hint },
    ]);
  });
});

describe('unknown keys', () => {
  it('at the top level, suggesting the key meant (and not also calling it missing)', async () => {
    expect(await issues('name: shop\nservces:\n  api:\n    run: x\n')).toEqual([
      {
        line: 2,
        col: 1,
        path: 'servces',
        message: 'unknown key "servces"',
        hint: 'did you mean "services"?',
      },
    ]);
  });

  it('in a service', async () => {
    expect(await issues('services:\n  api:\n    ruun: ./bin/api\n')).toEqual([
      {
        line: 3,
        col: 5,
        path: 'services.api.ruun',
        message: 'unknown key "ruun"',
        hint: 'did you mean "run"?',
      },
    ]);
  });

  it('in nested maps', async () => {
    const yaml = `
services:
  db:
    run: postgres
  api:
    run:
      cmmd: ./bin/api
    ready: { htpp: "http://localhost:8080" }
    depends_on:
      db: { conditon: started }
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 7,
        path: 'services.api.run.cmmd',
        message: 'unknown key "cmmd"',
        hint: 'did you mean "cmd"?',
      },
      {
        line: 7,
        col: 14,
        path: 'services.api.ready.htpp',
        message: 'unknown key "htpp"',
        hint: 'did you mean "http"?',
      },
      {
        line: 9,
        col: 13,
        path: 'services.api.depends_on.db.conditon',
        message: 'unknown key "conditon"',
        hint: 'did you mean "condition"?',
      },
    ]);
  });

  it('in a live_update item, listing the allowed keys when nothing is close', async () => {
    const yaml = `
services:
  api:
    run: x
    live_update:
      - restart: process
      - sycn: { from: src, to: /app }
      - image: x
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 6,
        col: 9,
        path: 'services.api.live_update[1].sycn',
        message: 'unknown key "sycn"',
        hint: 'did you mean "sync"?',
      },
      {
        line: 7,
        col: 9,
        path: 'services.api.live_update[2].image',
        message: 'unknown key "image"',
        hint: 'allowed keys here: sync, run, restart',
      },
    ]);
  });
});

describe('wrong types and values', () => {
  it('names what was expected and what was found', async () => {
    const yaml = `
parallel: two
services:
  api:
    run: 42
    watch: src
    env: [A=1]
    ports: [8080, http]
  web:
    run: [npm, 3]
    build: [{ cmd: [] }]
    depends_on: db
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 1,
        col: 11,
        path: 'parallel',
        message: 'expected a whole number, got a string',
        hint: 'for example: parallel: 4',
      },
      {
        line: 4,
        col: 10,
        path: 'services.api.run',
        message: 'expected a command (a string or a list of strings) or a map with "cmd", got a number',
        hint: 'for example: run: node server.js',
      },
      {
        line: 5,
        col: 12,
        path: 'services.api.watch',
        message: 'expected a list of strings, got a string',
        hint: 'for example: watch: [src, package.json]',
      },
      {
        line: 6,
        col: 10,
        path: 'services.api.env',
        message: 'expected a map of variable names to values, got a list',
        hint: 'for example: env: { PORT: "8080" }',
      },
      {
        line: 7,
        col: 19,
        path: 'services.api.ports[1]',
        message: 'expected a port number (1-65535) or "host:container", got "http"',
        hint: 'e.g. 8080, "8080:80" to publish container port 80 on host port 8080, or "127.0.0.1:8080:80" to publish it on that address only',
      },
      {
        line: 9,
        col: 16,
        path: 'services.web.run[1]',
        message: 'expected a string, got a number',
        hint: 'for example: run: node server.js',
      },
      { line: 10, col: 20, path: 'services.web.build[0].cmd', message: 'must not be empty' },
      {
        line: 11,
        col: 17,
        path: 'services.web.depends_on',
        message: 'expected a list of service names or a map of service names to settings, got a string',
        hint: 'for example: depends_on: [db]',
      },
    ]);
  });

  it('checks numbers, enums and names', async () => {
    const yaml = `
name: my shop
parallel: 0
services:
  api:
    run: x
    restart: allways
    image: x
  bad name:
    run: x
`.slice(1);
    expect(await issues(yaml)).toEqual([
      {
        line: 1,
        col: 7,
        path: 'name',
        message: 'invalid project name "my shop"',
        hint: 'start with a letter or digit; use only letters, digits, "_", "." and "-"',
      },
      { line: 2, col: 11, path: 'parallel', message: 'must be at least 1, got 0' },
      {
        line: 6,
        col: 14,
        path: 'services.api.restart',
        message: 'expected one of "no", "on-failure", "always", got "allways"',
        hint: 'did you mean "always"?',
      },
      {
        line: 7,
        col: 5,
        path: 'services.api.image',
        message: 'unknown key "image"',
        hint: 'allowed keys here: dir, runtime, docker, env, watch, ignore, build, run, ports, ready, depends_on, live_update, fall_back_on, restart',
      },
      {
        line: 8,
        col: 3,
        path: 'services.bad name',
        message: 'invalid service name "bad name"',
        hint: 'a service name starts with a letter or digit and has only letters, digits, "_" and "-"',
      },
    ]);
  });

  it('requires services, at least one, and run in each', async () => {
    expect(await issues('name: shop\n')).toEqual([
      { line: 1, col: 1, path: '', message: 'missing required key "services"' },
    ]);
    expect(await issues('services: [api]\n')).toEqual([
      {
        line: 1,
        col: 11,
        path: 'services',
        message: 'expected a map of service names to services, got a list',
        hint: 'for example: services: { api: { run: ./bin/api } }',
      },
    ]);
    expect(await issues('services:\n')).toEqual([
      {
        line: 1,
        col: 1,
        path: 'services',
        message: 'expected a map of service names to services, got an empty value',
        hint: 'for example: services: { api: { run: ./bin/api } }',
      },
    ]);
    expect(await issues('services: {}\n')).toEqual([
      {
        line: 1,
        col: 11,
        path: 'services',
        message: 'there are no services',
        hint: 'add at least one service under "services"',
      },
    ]);
    expect(await issues('services:\n  api:\n    dir: .\n')).toEqual([
      {
        line: 2,
        col: 3,
        path: 'services.api',
        message: 'missing required key "run"',
        hint: "add run: <the command that starts the service> (docker services run their image's command)",
      },
    ]);
    expect(await issues('services:\n  api:\n')).toEqual([
      {
        line: 2,
        col: 3,
        path: 'services.api',
        message: 'expected a map of service settings, got an empty value',
        hint: 'see the project file reference in the README',
      },
    ]);
    expect(await issues('services:\n  api:\n    run:\n      env: {}\n')).toEqual([
      { line: 3, col: 5, path: 'services.api.run', message: 'missing required key "cmd"' },
    ]);
  });

  it('explains runtimes: docker needs a Dockerfile or an image, kubernetes is not available yet', async () => {
    expect(await issues('services:\n  api:\n    runtime: docker\n')).toEqual([
      {
        line: 2,
        col: 3,
        path: 'services.api',
        message: 'runtime docker needs a Dockerfile, and there is none at Dockerfile',
        hint: 'write Dockerfile, set docker.image to run an existing image, or docker.build.dockerfile to point at one',
      },
    ]);
    expect(await issues('services:\n  api:\n    runtime: kubernetes\n    run: x\n')).toEqual([
      expect.objectContaining({ message: 'the kubernetes runtime is not available in this version' }),
    ]);
    expect(await issues('services:\n  api:\n    runtime: lokal\n    run: x\n')).toEqual([
      expect.objectContaining({
        message: 'expected one of "local", "docker", got "lokal"',
        hint: 'did you mean "local"?',
      }),
    ]);
  });

  it('wants durations with a unit', async () => {
    const yaml =
      'settle: 30\nmax_batch: 2 seconds\nservices:\n  api:\n    run: { cmd: x, stop_timeout: 5 }\n';
    expect(await issues(yaml)).toEqual([
      {
        line: 1,
        col: 9,
        path: 'settle',
        message: 'a duration needs a unit, got the bare number 30',
        hint: 'write a unit, e.g. "30s" or "500ms"',
      },
      {
        line: 2,
        col: 12,
        path: 'max_batch',
        message: 'invalid duration "2 seconds"',
        hint: 'use a number followed by ms, s, m or h, e.g. "1.5s"',
      },
      {
        line: 5,
        col: 34,
        path: 'services.api.run.stop_timeout',
        message: 'a duration needs a unit, got the bare number 5',
        hint: 'write a unit, e.g. "30s" or "500ms"',
      },
    ]);
  });

  it('reports problems from every service, sorted by line', async () => {
    const found = await issues(
      'services:\n  b:\n    runn: x\n  a:\n    run: 1\n  c:\n    ports: [x]\n    run: x\n',
    );
    expect(found.map((i) => [i.line, i.path])).toEqual([
      [3, 'services.b.runn'],
      [5, 'services.a.run'],
      [7, 'services.c.ports[0]'],
    ]);
  });
});
