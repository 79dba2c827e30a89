// The talk's "cache dependencies" advice from a real build: a Dockerfile that copies the whole
// context before installing dependencies gets one warning with the reordered lines, a correct
// one gets none, and BuildKit cache mounts build (they need BuildKit, not the legacy builder).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable, prepareBaseImages, removeProject } from '../support/docker.js';
import { freePort, makeProject, parseEvents, removeProjects, runCliAsync } from '../support/project.js';
import { is } from '../support/session.js';

const projects: { name: string; root: string }[] = [];

afterAll(async () => {
  for (const p of projects) await removeProject(p.name, p.root);
  removeProjects();
});

async function project(name: string, dockerfile: string): Promise<string> {
  const port = await freePort();
  const dir = makeProject({
    'pitstop.yaml': `name: ${name}
runtime: docker
services:
  app:
    ports: ["${port}:8080"]
    docker: { command: [busybox, httpd, -f, -p, "8080", -h, /srv] }
`,
    Dockerfile: dockerfile,
    'package.json': '{"name":"app"}\n',
    'package-lock.json': '{}\n',
    'index.html': 'hello\n',
  });
  projects.push({ name, root: dir });
  return dir;
}

describe.runIf(dockerAvailable())('Dockerfile dependency advice', () => {
  beforeAll(() => prepareBaseImages(), 120_000);

  it('warns once, with the lines to use, when the whole context is copied before installing', async () => {
    const dir = await project(
      'advice-bad',
      'FROM busybox:1.36\nWORKDIR /srv\nCOPY . .\nRUN echo would run: npm ci\n',
    );
    const result = await runCliAsync(['ci', '--json'], dir, 120_000);
    expect(result.code, result.stderr).toBe(0);
    const warnings = parseEvents(result.stdout).filter(is('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.service).toBe('app');
    expect(warnings[0]?.message).toContain(
      `${path.basename('Dockerfile')}: line 3 copies the whole build context`,
    );
    expect(warnings[0]?.message).toContain('COPY package.json package-lock.json ./');
    expect(warnings[0]?.message).toContain('RUN echo would run: npm ci');
  });

  it('says nothing for a Dockerfile that installs dependencies first, and builds cache mounts with BuildKit', async () => {
    const dir = await project(
      'advice-good',
      [
        'FROM busybox:1.36',
        'WORKDIR /srv',
        'COPY package.json package-lock.json ./',
        'RUN --mount=type=cache,target=/cache echo npm ci > /cache/ran && cat /cache/ran',
        'COPY . .',
        '',
      ].join('\n'),
    );
    const result = await runCliAsync(['ci', '--json'], dir, 120_000);
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.filter(is('warning'))).toEqual([]);
    const image = events
      .filter(is('update-finished'))
      .flatMap((e) => e.record.spans)
      .find((s) => s.name === 'image');
    expect(image?.outcome).toBe('ok');
    expect(image?.detail).not.toContain('legacy builder');
    // BuildKit reports each build step: the cache-mount RUN is one of the sub-steps.
    expect(image?.children?.some((c) => c.detail?.includes('--mount=type=cache'))).toBe(true);
  });
});
