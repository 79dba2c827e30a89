import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, makeService } from '../model/testing.js';
import { advise } from './advisor.js';
import { dockerfileFacts } from './advisor-facts.js';
import { makeRecord, plan } from './testing.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitstop-advice-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dockerfileFacts', () => {
  it('reads what each docker service’s Dockerfile says about its dependency install', () => {
    const web = path.join(dir, 'web');
    fs.mkdirSync(web);
    fs.writeFileSync(
      path.join(web, 'Dockerfile'),
      'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n',
    );
    fs.writeFileSync(path.join(web, 'package.json'), '{}');
    fs.writeFileSync(path.join(web, 'package-lock.json'), '{}');
    const build = { context: web, dockerfile: path.join(web, 'Dockerfile'), args: {} };
    const project = makeProject(dir, [
      makeService('web', web, { runtime: 'docker', docker: { env: {}, volumes: [], build } }),
      // The same Dockerfile on the local runtime is not built at all.
      makeService('local', web, { docker: { env: {}, volumes: [], build } }),
      makeService('missing', web, {
        runtime: 'docker',
        docker: { env: {}, volumes: [], build: { ...build, dockerfile: path.join(web, 'nope') } },
      }),
    ]);
    expect(dockerfileFacts(project)).toEqual({
      web: [
        {
          tool: 'npm',
          message: expect.stringMatching(/^line 3 copies the whole build context before line 4 installs npm/),
          suggestion: ['COPY package.json package-lock.json ./', 'RUN npm ci', 'COPY . .'],
        },
      ],
    });
  });
});

describe('sync-rule on the local runtime', () => {
  it('stays quiet when a full update costs what a restart would', () => {
    // A local process is stopped and started by a full update and by a restart alike.
    const svc = makeService('api', path.join(dir, 'api'), { runtime: 'local' });
    const records = Array.from({ length: 6 }, (_, i) =>
      makeRecord(
        'api',
        1_700_000_000_000 + i * 1000,
        [
          { name: 'detect', ms: 11 },
          { name: 'stop', ms: 30 },
          { name: 'start', ms: 40 },
          { name: 'ready', ms: 60 },
        ],
        {
          files: [path.join(dir, 'api', 'src', 'a.js')],
          plan: plan({ full: true, reason: 'no live_update rules' }),
        },
      ),
    );
    expect(advise(makeProject(dir, [svc]), records)).toEqual([]);
  });
});
