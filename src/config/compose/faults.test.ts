// Bad input and edge cases, each on its own: nothing starts, and the message says where and why.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the Compose syntax under test.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.js';
import { DOCKERFILE, issues, load, project, removeProjects, service } from './testing.js';

afterAll(removeProjects);

describe('faults', () => {
  it('invalid YAML: file:line:col with a code frame', async () => {
    const root = await project({ 'compose.yaml': 'services:\n  web:\n    image: x: y\n' });
    const err = await load(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const [first] = (err as ConfigError).issues;
    expect(first).toMatchObject({ file: path.join(root, 'compose.yaml'), line: 3, col: 12 });
    expect((err as ConfigError).message).toContain('compose.yaml:3:12: ');
    expect((err as ConfigError).message).toContain('   3 |     image: x: y');
  });

  it('invalid YAML in an override file points into that file', async () => {
    const root = await project({
      'compose.yaml': 'services:\n  web:\n    image: x\n',
      'compose.override.yaml': 'services:\n  web: [\n',
    });
    const found = await issues(root);
    expect(found[0]).toMatchObject({ file: 'compose.override.yaml', line: 3 });
  });

  it('an extends chain across files that loops: an error naming the chain', async () => {
    const root = await project({
      'compose.yaml': 'services:\n  web:\n    extends: { file: base.yaml, service: base }\n',
      'base.yaml': 'services:\n  base:\n    extends: { file: compose.yaml, service: web }\n',
    });
    const found = await issues(root);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'base.yaml', line: 3, col: 5, path: 'services.base.extends' });
    expect(found[0]!.message).toBe(
      `extends loop: web (${path.join(root, 'compose.yaml')}) → base (${path.join(root, 'base.yaml')}) → web (${path.join(root, 'compose.yaml')})`,
    );
  });

  it('an undefined variable without default: a warning, and an empty value', async () => {
    const root = await project({
      'compose.yaml': 'services:\n  web:\n    image: busybox\n    environment:\n      - TOKEN=${API_TOKEN}\n',
    });
    const p = await load(root);
    expect(service(p, 'web').run.env).toEqual({ TOKEN: '' });
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /compose\.yaml:5:9: services\.web\.environment\[0\]: the "API_TOKEN" variable is not set/,
      ),
    ]);
  });

  it('a build context that does not exist: an error at its position', async () => {
    const root = await project({
      'compose.yaml':
        'services:\n  a:\n    build: ./apii\n  b:\n    build:\n      context: ./b\n      dockerfile: Dev.Dockerfile\n',
      'api/Dockerfile': DOCKERFILE,
      'b/Dockerfile': DOCKERFILE,
    });
    expect(await issues(root)).toEqual([
      {
        file: 'compose.yaml',
        line: 3,
        col: 12,
        path: 'services.a.build',
        message: `the build context ${path.join(root, 'apii')} is not a folder`,
        hint: 'build (or build.context) is relative to the Compose file',
      },
      {
        file: 'compose.yaml',
        line: 7,
        col: 19,
        path: 'services.b.build.dockerfile',
        message: `there is no Dockerfile at ${path.join(root, 'b/Dev.Dockerfile')}`,
        hint: 'build.dockerfile is relative to the build context',
      },
    ]);
  });

  it('a watch path outside the project: an error at the path', async () => {
    const root = await project({
      'app/compose.yaml':
        'services:\n  a:\n    image: x\n    develop:\n      watch: [{ path: /etc, action: rebuild }]\n',
    });
    const found = await issues(path.join(root, 'app'));
    expect(found).toEqual([
      expect.objectContaining({
        line: 5,
        col: 23,
        path: 'services.a.develop.watch[0].path',
        message: expect.stringContaining('/etc is outside the project folder'),
      }),
    ]);
  });

  it('only image: services: nothing to build or watch, they just run (the image must be local)', async () => {
    const root = await project({
      'compose.yaml':
        'services:\n  cache:\n    image: redis:7\n  queue:\n    image: busybox:1.36\n    command: ["sleep", "infinity"]\n',
    });
    const p = await load(root);
    expect(p.warnings).toEqual([]);
    for (const s of p.services) {
      expect(s.docker.build).toBeUndefined();
      expect(s.watch).toEqual([]);
      expect(s.liveUpdate).toEqual([]);
    }
    expect(service(p, 'cache').docker.image).toBe('redis:7');
  });

  it('a service name Compose would refuse', async () => {
    const root = await project({ 'compose.yaml': 'services:\n  my web:\n    image: x\n' });
    expect(await issues(root)).toEqual([
      expect.objectContaining({
        line: 2,
        col: 3,
        path: 'services.my web',
        message: 'invalid service name "my web"',
      }),
    ]);
  });

  it('a service with neither image nor build, and an empty file', async () => {
    const root = await project({ 'compose.yaml': 'services:\n  a:\n    command: ["x"]\n' });
    expect(await issues(root)).toEqual([
      expect.objectContaining({
        line: 2,
        col: 3,
        path: 'services.a',
        message: 'service "a" has neither "image" nor "build"',
      }),
    ]);
    const empty = await project({ 'compose.yaml': '# nothing\n' });
    expect(await issues(empty)).toEqual([
      expect.objectContaining({ line: 1, col: 1, message: 'the Compose file is empty' }),
    ]);
  });

  it('undeclared named volumes and networks, bad types, and a missing bind source', async () => {
    const root = await project({
      'compose.yaml': `services:
  a:
    image: x
    volumes: [data:/data, ./missing:/m]
    networks: [front]
    ports: "80:80"
    healthcheck: { test: ["CMD"], interval: soon }
`,
    });
    const found = await issues(root);
    expect(found.map((i) => [i.line, i.path, i.message])).toEqual([
      [4, 'services.a.volumes[0]', 'the volume "data" is not declared'],
      [4, 'services.a.volumes[1]', `the host path ${path.join(root, 'missing')} does not exist`],
      [5, 'services.a.networks[0]', 'the network "front" is not declared'],
      [6, 'services.a.ports', 'expected a list of ports, got a string'],
      [
        7,
        'services.a.healthcheck.test',
        'a healthcheck test list starts with "CMD", "CMD-SHELL" or "NONE", then the command',
      ],
      [7, 'services.a.healthcheck.interval', 'invalid duration "soon"'],
    ]);
  });
});
