// pitstop and `docker compose` must not run the same project at once: a running container with
// Compose's project label makes pitstop refuse, saying what to run. And a broken Compose file
// is reported by the CLI like a broken pitstop.yaml: file:line:col, exit code 3, nothing started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeConflict } from '../../src/config/compose/conflict.js';
import { loadCompose } from '../../src/config/compose/load-compose.js';
import { DockerClient } from '../../src/runtimes/docker/api/index.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import { docker, dockerRun } from '../support/docker-cli.js';
import { makeProject, removeProjects, runCliAsync } from '../support/project.js';
import { uniqueName } from './support.js';

describe.runIf(dockerAvailable())('a project docker compose is running', () => {
  const name = uniqueName('pitstop-compose-conflict');
  let dir = '';
  let composeContainer = '';

  beforeAll(async () => {
    await prepareBaseImages();
    dir = makeProject({
      'compose.yaml': `name: ${name}\nservices:\n  app:\n    image: busybox:1.36\n    command: ["busybox", "sleep", "86400"]\n`,
    });
    // What `docker compose up` leaves running: a container labelled with the project name.
    composeContainer = docker(
      'run',
      '-d',
      '--name',
      `${name}-app-1`,
      '--label',
      `com.docker.compose.project=${name}`,
      '--label',
      'com.docker.compose.service=app',
      'busybox:1.36',
      'busybox',
      'sleep',
      '86400',
    );
  }, 120_000);

  afterAll(async () => {
    if (composeContainer) dockerRun('rm', '-f', composeContainer);
    if (dir) await removeProject(name, dir);
    removeProjects();
  });

  it('is found by its Compose project label', async () => {
    const project = await loadCompose([`${dir}/compose.yaml`]);
    const client = DockerClient.fromEnv();
    try {
      expect(await composeConflict(project, client)).toEqual({
        projectName: name,
        containers: [`${name}-app-1`],
        command: `docker compose -p ${name} down`,
      });
    } finally {
      client.close();
    }
  });

  it('makes `pitstop up` refuse with the command to run, starting nothing', async () => {
    const result = await runCliAsync(['up'], dir, 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the Compose project "${name}" is already running under docker compose`);
    expect(result.stderr).toContain(`docker compose -p ${name} down`);
    expect(await leftovers(name, dir)).toEqual([]);
  });
});

describe('a broken Compose file on the command line', () => {
  afterAll(() => removeProjects());

  it('is reported with file:line:col and exit code 3', async () => {
    const dir = makeProject({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    ports: [80\n' });
    const result = await runCliAsync(['validate'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/compose\.yaml:\d+:\d+: /);
  });

  it('validates a good one', async () => {
    const dir = makeProject({ 'compose.yaml': 'services:\n  web:\n    image: busybox\n    deploy: {}\n' });
    const result = await runCliAsync(['validate'], dir);
    expect(result.code, result.stderr).toBe(0);
  });
});
