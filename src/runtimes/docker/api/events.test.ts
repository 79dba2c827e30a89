// The event stream: a container's death seen live, and a dropped connection seen as such.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../../../errors.js';
import { DockerClient } from './client.js';
import { parseDockerHost } from './docker-host.js';
import type { DockerEvent } from './system.js';
import { dockerAvailable, ensureBusyboxImage, removeTestResources, testLabels } from './testing.js';

describe.runIf(dockerAvailable())('events from the daemon', () => {
  const client = DockerClient.fromEnv();
  const { labels, run } = testLabels();
  let image: string;

  beforeAll(async () => {
    image = await ensureBusyboxImage(client);
  });

  afterAll(async () => {
    await removeTestResources(client, run);
    client.close();
  });

  it('sees a container die, with its exit code', async () => {
    // `since` replays what happened between now and the moment the stream is open.
    const since = Math.floor(Date.now() / 1000) - 1;
    const events = client.system.events({
      since,
      filters: { type: ['container'], label: [`pitstop.test.run=${run}`] },
    });
    const { Id } = await client.containers.create({ image, labels, cmd: ['sh', '-c', 'exit 5'] });
    await client.containers.start(Id);
    const seen: DockerEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      if (event.Action === 'die') break;
    }
    expect(seen.map((e) => e.Action)).toEqual(expect.arrayContaining(['create', 'start', 'die']));
    const die = seen.at(-1)!;
    expect(die).toMatchObject({ Type: 'container', Actor: { ID: Id, Attributes: { exitCode: '5' } } });
    expect(die.Actor.Attributes['pitstop.test.run']).toBe(run);
  });

  it('stops quietly when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const seen = [];
    for await (const event of client.system.events({
      signal: controller.signal,
      filters: { type: ['plugin'] },
    })) {
      seen.push(event);
    }
    expect(seen).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('events when the daemon goes away', () => {
  let dir: string;
  let server: Server;
  let ending: 'drop' | 'end';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitstop-events-'));
    // A stand-in daemon: one event, then either a dropped connection (a crash or restart) or a
    // clean end of the stream.
    server = createServer((req, res) => {
      if (req.url === '/version') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ApiVersion: '1.41' }));
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.write(
        `${JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'x', Attributes: {} } })}\n`,
      );
      setTimeout(() => (ending === 'drop' ? res.socket?.destroy() : res.end()), 50);
    });
    await new Promise<void>((resolve) => server.listen(join(dir, 'docker.sock'), resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function drain(): Promise<{ actions: string[]; error?: unknown }> {
    const client = new DockerClient(parseDockerHost(`unix://${join(dir, 'docker.sock')}`, 'test'));
    const actions: string[] = [];
    try {
      for await (const event of client.system.events()) actions.push(event.Action);
      return { actions };
    } catch (error) {
      return { actions, error };
    } finally {
      client.close();
    }
  }

  it('throws "lost the connection" after the events it got when the connection drops', async () => {
    ending = 'drop';
    const { actions, error } = await drain();
    expect(actions).toEqual(['start']);
    expect(error).toBeInstanceOf(PitstopError);
    expect((error as Error).message).toMatch(/^lost the connection to the Docker daemon at unix:\/\//);
  });

  it('ends when the daemon ends the stream', async () => {
    ending = 'end';
    expect(await drain()).toEqual({ actions: ['start'] });
  });
});
