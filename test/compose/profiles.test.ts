// Profiles and environment files against the real engine: `.env` (interpolation and
// COMPOSE_PROFILES), env_file, the process environment over `.env`, an unset variable said once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PitstopSession } from '../../bench/lib/pitstop.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import { containerIds, docker } from '../support/docker-cli.js';
import { makeProject, removeProjects } from '../support/project.js';
import { is, ready, stopClean } from '../support/session.js';
import { envOf, uniqueName } from './support.js';

const sleeper = (extra = '') => `    image: busybox:1.36
    command: ["busybox", "sleep", "86400"]
${extra}`;

describe.runIf(dockerAvailable())('profiles and env files', () => {
  const name = uniqueName('pitstop-compose-profiles');
  let dir = '';
  let session: PitstopSession | undefined;

  beforeAll(async () => {
    await prepareBaseImages();
    dir = makeProject({
      'compose.yaml': `name: ${name}
services:
  web:
${sleeper(`    env_file: [./web.env]
    environment:
      GREETING: \${GREETING}
      TAG: \${TAG:-latest}
      MISSING: \${NOT_SET_ANYWHERE}
`)}  debug:
${sleeper('    profiles: [debug]\n')}  docs:
${sleeper('    profiles: [docs]\n')}`,
      '.env': 'GREETING=hello from .env\nCOMPOSE_PROFILES=debug\n',
      'web.env': '# for the web service\nMESSAGE="from env_file"\nGREETING=overridden by environment\n',
    });
  }, 120_000);

  afterEach(async () => {
    if (session) await stopClean(session);
    session = undefined;
    expect(await leftovers(name, dir)).toEqual([]);
  });

  afterAll(async () => {
    if (dir) await removeProject(name, dir);
    removeProjects();
  });

  const running = () =>
    containerIds(name, dir)
      .map((id) => docker('inspect', '--format', '{{index .Config.Labels "dev.pitstop.service"}}', id))
      .sort();

  it('runs the services of the profiles .env activates, with the environment Compose would give', async () => {
    session = PitstopSession.start(dir, { ...process.env, TAG: 'from-shell', NOT_SET_ANYWHERE: undefined });
    await ready(session, 60_000);
    expect(running()).toEqual(['debug', 'web']);
    const web = containerIds(name, dir, 'web')[0]!;
    const env = envOf(JSON.parse(docker('inspect', '--format', '{{json .Config.Env}}', web)) as string[]);
    expect(env).toMatchObject({
      GREETING: 'hello from .env',
      MESSAGE: 'from env_file',
      TAG: 'from-shell',
      MISSING: '',
    });
    const warnings = session.events.filter(is('warning')).map((e) => e.message);
    expect(warnings.filter((w) => w.includes('NOT_SET_ANYWHERE'))).toHaveLength(1);
  });

  it('lets COMPOSE_PROFILES from the environment win over .env', async () => {
    session = PitstopSession.start(dir, { ...process.env, COMPOSE_PROFILES: 'docs' });
    await ready(session, 60_000);
    expect(running()).toEqual(['docs', 'web']);
  });
});
