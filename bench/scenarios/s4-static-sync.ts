// S4: a static file changed and synced into a running container, no restart: busybox httpd
// serves /srv/public and reads files per request, so the new content is live once it lands.
// pitstop (sync public → /srv/public) against `docker cp` of the changed file.
import {
  BENCH_LABEL,
  PITSTOP_PROJECT_LABEL,
  prepareBases,
  requireDocker,
  sweepOnCleanup,
} from '../lib/docker.js';
import { runAlternating } from '../lib/loops.js';
import { editCounts, type Scenario } from '../lib/scenario.js';
import { ratio } from '../lib/stats.js';
import { dockerLoop } from '../loops/docker.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'static-version';
const EDIT = 'public/version.js';
const CONTAINER_PORT = 8080;
const GOAL_MS = 30;

const pitstopYaml = (project: string) => (port: number) =>
  `name: ${project}
runtime: docker
services:
  static:
    dir: .
    ports: ["${port}:${CONTAINER_PORT}"]
    ready: { http: http://127.0.0.1:${port}/ }
    live_update:
      - sync: { from: public, to: /srv/public }
`;

export const s4: Scenario = {
  id: 'S4',
  title: 'static file sync into a container, no restart',
  async run(ctx) {
    await requireDocker();
    await prepareBases();
    const project = `bench-s4-${ctx.runId}`;
    sweepOnCleanup([`${BENCH_LABEL}=${ctx.runId}`, `${PITSTOP_PROJECT_LABEL}=${project}`], ctx.log);
    const loops = [
      pitstopLoop({
        fixture: FIXTURE,
        service: 'static',
        editFile: EDIT,
        yaml: pitstopYaml(project),
        versionUrl: (port) => `http://127.0.0.1:${port}/version.js`,
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
        dockerProject: project,
      }),
      dockerLoop({
        name: 'docker cp',
        scenario: 'S4',
        fixture: FIXTURE,
        editFile: EDIT,
        mode: 'copy',
        copy: [{ from: EDIT, to: `/srv/${EDIT}` }],
        restart: false,
        containerPort: CONTAINER_PORT,
        healthPath: '/version.js',
        healthExpect: 'version',
        versionPath: '/version.js',
        sends: [EDIT],
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
      }),
    ];
    const results = await runAlternating('S4', loops, {
      ...editCounts(ctx, { runs: 5, warmup: 0 }),
      gapMs: 300,
      parallelSetup: true,
      log: ctx.log,
    });
    const m = results.find((r) => r.loop === 'pitstop')?.median_ms ?? null;
    const cp = results.find((r) => r.loop === 'docker cp')?.median_ms ?? null;
    const r = ratio(m, cp);
    return {
      results,
      goals: [
        {
          scenario: 'S4',
          goal: `p50 ≤ ${GOAL_MS} ms`,
          measured:
            m == null
              ? 'not measured'
              : `pitstop = ${m} ms${r === undefined ? '' : ` (docker cp = ${cp} ms, ratio ${r.toFixed(2)})`}`,
          met: m == null ? null : m <= GOAL_MS,
        },
      ],
    };
  },
};
