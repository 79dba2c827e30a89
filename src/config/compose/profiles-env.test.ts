// Profiles, `.env`, the process environment and interpolation, as Compose applies them.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the Compose syntax under test.
import { afterAll, describe, expect, it } from 'vitest';
import { issues, load, project, removeProjects, service, warningTexts } from './testing.js';

afterAll(removeProjects);

const PROFILED = `services:
  web:
    image: web:\${TAG:-dev}
  debug:
    image: busybox
    profiles: [debug, tools]
  docs:
    image: docs
    profiles: [docs]
`;

describe('profiles', () => {
  it('leaves out services whose profiles are not active; services without profiles always run', async () => {
    const root = await project({ 'compose.yaml': PROFILED });
    expect((await load(root)).services.map((s) => s.name)).toEqual(['web']);
    expect((await load(root, { profiles: ['tools'] })).services.map((s) => s.name)).toEqual(['web', 'debug']);
    expect((await load(root, { profiles: ['*'] })).services.map((s) => s.name)).toEqual([
      'web',
      'debug',
      'docs',
    ]);
  });

  it('reads COMPOSE_PROFILES from the environment, and from .env', async () => {
    const root = await project({ 'compose.yaml': PROFILED, '.env': 'COMPOSE_PROFILES=docs\n' });
    expect((await load(root)).services.map((s) => s.name)).toEqual(['web', 'docs']);
    const fromEnv = await load(root, { env: { COMPOSE_PROFILES: 'debug, docs' } });
    expect(fromEnv.services.map((s) => s.name)).toEqual(['web', 'debug', 'docs']);
    // --profile (the option) wins over the environment.
    expect((await load(root, { profiles: [] })).services.map((s) => s.name)).toEqual(['web']);
  });

  it('refuses a dependency on a service a profile left out, unless it is not required', async () => {
    const root = await project({
      'compose.yaml': `services:
  web:
    image: web
    depends_on:
      debug: { condition: service_started }
      docs: { condition: service_started, required: false }
  debug: { image: busybox, profiles: [debug] }
  docs: { image: docs, profiles: [docs] }
`,
    });
    expect(await issues(root)).toEqual([
      {
        file: 'compose.yaml',
        line: 5,
        col: 7,
        path: 'services.web.depends_on.debug',
        message: '"debug" is not started: its profiles (debug) are not active',
        hint: 'activate one of them (COMPOSE_PROFILES=debug), or add required: false',
      },
    ]);
    const p = await load(root, { profiles: ['debug'] });
    expect(service(p, 'web').dependsOn.map((d) => d.service)).toEqual(['debug']);
    expect(warningTexts(p)).toEqual([
      'services.web.depends_on.docs: "docs" is not part of the project (required: false): web starts without it',
    ]);
  });

  it('still checks the keys of services a profile leaves out, without warning about them', async () => {
    const root = await project({
      'compose.yaml':
        'services:\n  web:\n    image: web\n  debug:\n    image: x\n    profiles: [debug]\n    deploy: {}\n    comand: ["x"]\n',
    });
    expect(await issues(root)).toEqual([
      expect.objectContaining({
        line: 8,
        col: 5,
        path: 'services.debug.comand',
        hint: 'did you mean "command"?',
      }),
    ]);
  });
});

describe('environment and interpolation', () => {
  it('interpolates from the process environment over .env', async () => {
    const root = await project({
      'compose.yaml': `services:
  web:
    image: \${IMAGE}:\${TAG:-latest}
    environment:
      URL: http://\${HOST-localhost}:\${PORT}
      PRICE: $$5
      FROM_SHELL:
    ports: ["\${PORT}:80"]
`,
      '.env': 'IMAGE=shop/web\nPORT=8080\nHOST=\n',
    });
    const p = await load(root, { env: { PORT: '9090', FROM_SHELL: 'yes' } });
    const web = service(p, 'web');
    expect(web.docker.image).toBe('shop/web:latest');
    expect(web.run.env).toEqual({ URL: 'http://:9090', PRICE: '$5', FROM_SHELL: 'yes' });
    expect(web.publish).toEqual([{ host: 9090, container: 80 }]);
    expect(p.warnings).toEqual([]);
  });

  it('warns once per variable that is not set, and uses an empty string', async () => {
    const root = await project({
      'compose.yaml': `services:
  web:
    image: web\${SUFFIX}
    environment:
      A: \${TOKEN}
      B: \${TOKEN}-again
`,
    });
    const p = await load(root);
    expect(service(p, 'web').docker.image).toBe('web');
    expect(service(p, 'web').run.env).toEqual({ A: '', B: '-again' });
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /compose\.yaml:3:5: services\.web\.image: the "SUFFIX" variable is not set, so it is an empty string here$/,
      ),
      expect.stringMatching(
        /compose\.yaml:5:7: services\.web\.environment\.A: the "TOKEN" variable is not set/,
      ),
    ]);
  });

  it('fails on a required variable and on a lone $, at the value', async () => {
    const root = await project({
      'compose.yaml': 'services:\n  web:\n    image: ${IMAGE:?set IMAGE first}\n    command: echo 5$\n',
    });
    expect(await issues(root)).toEqual([
      {
        file: 'compose.yaml',
        line: 3,
        col: 12,
        path: 'services.web.image',
        message: 'required variable IMAGE is not set: set IMAGE first',
        hint: 'set IMAGE in the environment or in the .env file next to the Compose file',
      },
      {
        file: 'compose.yaml',
        line: 4,
        col: 14,
        path: 'services.web.command',
        message: 'invalid interpolation: "$" followed by ""',
        hint: 'write $$ for a literal "$"',
      },
    ]);
  });

  it('reads env_file files in order, `environment` over them, and reports a bad line in the env file', async () => {
    const root = await project({
      'compose.yaml': `services:
  web:
    image: web
    env_file:
      - ./common.env
      - path: ./local.env
        required: false
      - ./web.env
    environment:
      - MODE=compose
      - INHERITED
`,
      'common.env': 'MODE=common\nA=1\n',
      'web.env': '# web\nB="two words"\nC=${A}-x\n',
    });
    const web = service(await load(root, { env: { INHERITED: 'from-shell' } }), 'web');
    expect(web.run.env).toEqual({
      MODE: 'compose',
      A: '1',
      B: 'two words',
      C: '-x',
      INHERITED: 'from-shell',
    });

    const bad = await project({
      'compose.yaml': 'services:\n  web:\n    image: web\n    env_file: [missing.env, bad.env]\n',
      'bad.env': 'OK=1\nnot a line\n',
    });
    const found = await issues(bad);
    expect(found.map((i) => [i.file, i.line, i.col, i.message])).toEqual([
      ['compose.yaml', 4, 16, `cannot read env file ${bad}/missing.env (ENOENT)`],
      ['bad.env', 2, 1, 'expected KEY=value, got "not a line"'],
    ]);
  });
});
