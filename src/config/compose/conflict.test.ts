// The refusal to run a project that `docker compose` is running already (a stand-in Docker
// client here; test/compose/ checks it against the real engine).
import { afterAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../../errors.js';
import type { DockerClient } from '../../runtimes/docker/api/index.js';
import { composeConflict, refuseComposeConflict } from './conflict.js';
import { composeInfo } from './load-compose.js';
import { load, project, removeProjects } from './testing.js';

afterAll(removeProjects);

type ListOptions = Parameters<DockerClient['containers']['list']>[0];

function fakeClient(running: string[]): { client: DockerClient; asked: ListOptions[] } {
  const asked: ListOptions[] = [];
  const list = async (options: ListOptions) => {
    asked.push(options);
    return running.map((name, i) => ({ Id: `id${i}`, Names: [`/${name}`] }));
  };
  return { client: { containers: { list } } as unknown as DockerClient, asked };
}

describe('composeConflict', () => {
  it('looks for running containers of the Compose project by its label', async () => {
    const root = await project({ 'Shop/compose.yaml': 'services:\n  db:\n    image: postgres\n' });
    const p = await load(`${root}/Shop`);
    expect(composeInfo(p)).toMatchObject({ projectName: 'shop', profiles: [] });
    const { client, asked } = fakeClient(['shop-db-1', 'shop-api-1']);
    expect(await composeConflict(p, client)).toEqual({
      projectName: 'shop',
      containers: ['shop-api-1', 'shop-db-1'],
      command: 'docker compose -p shop down',
    });
    expect(asked).toEqual([
      { labels: { 'com.docker.compose.project': 'shop' }, status: ['running', 'restarting', 'paused'] },
    ]);
    const err = await refuseComposeConflict(p, client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect(err).toMatchObject({ exitCode: 1, hint: 'stop it first: docker compose -p shop down' });
    expect((err as Error).message).toContain(
      'the Compose project "shop" is already running under docker compose',
    );
  });

  it('is quiet when nothing runs, and for pitstop.yaml projects', async () => {
    const root = await project({ 'compose.yaml': 'name: app\nservices:\n  db:\n    image: postgres\n' });
    await expect(composeConflict(await load(root), fakeClient([]).client)).resolves.toBeUndefined();
    await expect(refuseComposeConflict(await load(root), fakeClient([]).client)).resolves.toBeUndefined();
    const own = await project({ 'pitstop.yaml': 'services:\n  a:\n    run: sleep 1\n' });
    const { client, asked } = fakeClient(['x']);
    await expect(composeConflict(await load(own), client)).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('uses COMPOSE_PROJECT_NAME and -p over the name key', async () => {
    const root = await project({ 'compose.yaml': 'name: app\nservices:\n  db:\n    image: postgres\n' });
    expect(composeInfo(await load(root, { env: { COMPOSE_PROJECT_NAME: 'other' } }))?.projectName).toBe(
      'other',
    );
    expect(composeInfo(await load(root, { projectName: 'given' }))?.projectName).toBe('given');
    await expect(load(root, { projectName: 'Bad Name' })).rejects.toThrow(
      'invalid Compose project name "Bad Name"',
    );
  });
});
