// The advisor on real measurements: a project whose Dockerfile copies everything before
// installing dependencies rebuilds the install on every change; after a few changes `pitstop
// advise` says so, with the measured time and the lines to use. The same project with the
// dependency files copied first gets no such advice.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Suggestion } from '../../src/history/types.js';
import { dockerAvailable, prepareBaseImages, removeProject } from '../support/docker.js';
import { freePort, makeProject, removeProjects, runCliAsync } from '../support/project.js';
import { finished, ready, stopSessions, up } from '../support/session.js';

const made: { name: string; root: string }[] = [];

afterAll(async () => {
  await stopSessions();
  for (const p of made) await removeProject(p.name, p.root);
  removeProjects();
});

async function project(name: string, dockerfile: string): Promise<string> {
  const port = await freePort();
  const dir = makeProject({
    'pitstop.yaml': `name: ${name}
runtime: docker
services:
  web:
    ports: ["${port}:8080"]
    docker: { command: [busybox, httpd, -f, -p, "8080", -h, /app] }
`,
    Dockerfile: dockerfile,
    'package.json': '{"name":"web"}\n',
    'index.html': 'v0\n',
  });
  made.push({ name, root: dir });
  return dir;
}

/** Three changes no live-update rule covers: three image builds. */
async function rebuildThrice(dir: string): Promise<void> {
  const session = up(dir);
  await ready(session, 120_000);
  for (const version of ['v1', 'v2', 'v3']) {
    const since = session.events.length;
    fs.writeFileSync(path.join(dir, 'index.html'), `${version}\n`);
    const { record } = await session.waitFor(finished('web'), 120_000, since);
    expect(record.outcome, record.error?.message).toBe('ok');
  }
  await session.stop();
}

async function advice(dir: string): Promise<Suggestion[]> {
  const result = await runCliAsync(['advise', '--json'], dir, 60_000);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { suggestions: Suggestion[] }).suggestions;
}

describe.runIf(dockerAvailable())('pitstop advise on real image builds', () => {
  beforeAll(() => prepareBaseImages(), 120_000);

  it('suggests copying the dependency files first, citing the measured install step', async () => {
    const dir = await project(
      'advise-order-bad',
      'FROM busybox:1.36\nWORKDIR /app\nCOPY . .\nRUN sleep 0.3 && echo npm ci > /installed\n',
    );
    await rebuildThrice(dir);
    const suggestions = await advice(dir);
    const order = suggestions.find((s) => s.rule === 'dockerfile-order');
    expect(order, JSON.stringify(suggestions)).toBeDefined();
    expect(order?.service).toBe('web');
    expect(order?.detail).toContain('COPY package.json ./');
    expect(order?.savingMs).toBeGreaterThanOrEqual(250);
    expect(order?.evidence.join('\n')).toMatch(/ran again in [34] of [34] image builds: median/);
  });

  it('says nothing of the kind when dependencies are installed before the code is copied', async () => {
    const dir = await project(
      'advise-order-good',
      'FROM busybox:1.36\nWORKDIR /app\nCOPY package.json ./\nRUN sleep 0.3 && echo npm ci > /installed\nCOPY . .\n',
    );
    await rebuildThrice(dir);
    expect((await advice(dir)).filter((s) => s.rule === 'dockerfile-order')).toEqual([]);
  });
});
