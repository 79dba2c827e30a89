// S3: a Node service, a one-line change to a source file, synced and the process restarted.
// On Docker: pitstop (sync src → /app/src, restart: process) against `docker cp` of the changed
// file + `docker restart -t 0`. Locally: pitstop against nodemon restarting `node server.js`.
import {
  BENCH_LABEL,
  PITSTOP_PROJECT_LABEL,
  prepareBases,
  requireDocker,
  sweepOnCleanup,
} from '../lib/docker.js';
import { runAlternating } from '../lib/loops.js';
import type { GoalCheck } from '../lib/results.js';
import { editCounts, type Scenario } from '../lib/scenario.js';
import { ratio } from '../lib/stats.js';
import { dockerLoop } from '../loops/docker.js';
import { nodemonLoop } from '../loops/nodemon.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'node-version';
const EDIT = 'src/version.js';
const CONTAINER_PORT = 8080;
const GOAL_MS = 250;

const dockerYaml = (project: string) => (port: number) =>
  `name: ${project}
runtime: docker
services:
  web:
    dir: .
    env: { PORT: "${CONTAINER_PORT}" }
    ports: ["${port}:${CONTAINER_PORT}"]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - sync: { from: src, to: /app/src }
      - restart: process
`;

// The same service as a host process: the sync rule is a no-op there (the files are in place).
const localYaml = (project: string) => (port: number) =>
  `name: ${project}
services:
  web:
    dir: .
    run: node server.js
    env: { PORT: "${port}" }
    ports: [${port}]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - sync: { from: src, to: /app/src }
      - restart: process
`;

// The same service described by a Compose file with develop.watch, as many projects already have
// it: pitstop must be as fast from it as from its own file.
const composeYaml = (project: string) => (port: number) =>
  `name: ${project}
services:
  web:
    build: .
    environment: { PORT: "${CONTAINER_PORT}" }
    ports: ["${port}:${CONTAINER_PORT}"]
    develop:
      watch:
        - action: sync+restart
          path: ./src
          target: /app/src
`;

export const s3: Scenario = {
  id: 'S3',
  title: 'Node service, source sync + process restart, on Docker and local',
  async run(ctx) {
    await requireDocker();
    await prepareBases();
    const project = `bench-s3-${ctx.runId}`;
    sweepOnCleanup([`${BENCH_LABEL}=${ctx.runId}`, `${PITSTOP_PROJECT_LABEL}=${project}`], ctx.log);
    const url = (p: string) => (port: number) => `http://127.0.0.1:${port}${p}`;

    const loops = [
      pitstopLoop({
        fixture: FIXTURE,
        service: 'web',
        editFile: EDIT,
        yaml: dockerYaml(project),
        versionUrl: url('/version'),
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
        dockerProject: project,
      }),
      pitstopLoop({
        name: 'pitstop compose',
        fixture: FIXTURE,
        service: 'web',
        editFile: EDIT,
        file: 'compose.yaml',
        yaml: composeYaml(`${project}-compose`),
        versionUrl: url('/version'),
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
        dockerProject: `${project}-compose`,
      }),
      dockerLoop({
        name: 'docker cp+restart',
        scenario: 'S3',
        fixture: FIXTURE,
        editFile: EDIT,
        mode: 'copy',
        copy: [{ from: EDIT, to: `/app/${EDIT}` }],
        restart: true,
        containerPort: CONTAINER_PORT,
        containerEnv: { PORT: String(CONTAINER_PORT) },
        healthPath: '/healthz',
        versionPath: '/version',
        sends: [EDIT],
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
      }),
      pitstopLoop({
        name: 'pitstop local',
        fixture: FIXTURE,
        service: 'web',
        editFile: EDIT,
        yaml: localYaml(`bench-s3-local-${ctx.runId}`),
        versionUrl: url('/version'),
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
      }),
      nodemonLoop({
        fixture: FIXTURE,
        args: ['--watch', 'src', 'server.js'],
        editFile: EDIT,
        healthUrl: url('/healthz'),
        versionUrl: url('/version'),
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
      }),
    ];
    // docker restart takes over a second: --quick measures 3 edits.
    const results = await runAlternating('S3', loops, {
      ...editCounts(ctx, { runs: 3, warmup: 0 }),
      gapMs: 300,
      parallelSetup: true,
      log: ctx.log,
    });

    const entry = (loop: string) => results.find((r) => r.loop === loop);
    for (const [loop, runtime, vs] of [
      ['pitstop', 'docker', 'pitstop'],
      ['pitstop compose', 'docker', 'pitstop'],
      ['docker cp+restart', 'docker', 'pitstop'],
      ['pitstop local', 'local', 'pitstop local'],
      ['nodemon', 'local', 'pitstop local'],
    ] as const) {
      const e = entry(loop);
      if (!e) continue;
      e.runtime = runtime;
      if (vs !== 'pitstop') e.vs = vs;
    }
    const goal = (loop: string, label: string, vsLoop: string): GoalCheck[] => {
      const m = entry(loop)?.median_ms ?? null;
      const base = entry(vsLoop)?.median_ms ?? null;
      const r = ratio(m, base);
      return [
        {
          scenario: 'S3',
          goal: `p50 ≤ ${GOAL_MS} ms (${label})`,
          measured:
            m == null
              ? 'not measured'
              : `${loop} = ${m} ms${r === undefined ? '' : ` (${vsLoop} = ${base} ms, ratio ${r.toFixed(2)})`}`,
          met: m == null ? null : m <= GOAL_MS,
        },
      ];
    };
    const fromCompose = ratio(
      entry('pitstop compose')?.median_ms ?? null,
      entry('pitstop')?.median_ms ?? null,
    );
    return {
      results,
      goals: [
        ...goal('pitstop', 'docker', 'docker cp+restart'),
        ...goal('pitstop local', 'local', 'nodemon'),
        {
          scenario: 'S3',
          goal: 'from compose.yaml (develop.watch) as fast as from pitstop.yaml (within noise: ratio 0.8-1.25)',
          measured:
            fromCompose === undefined
              ? 'not measured'
              : `pitstop compose / pitstop = ${fromCompose.toFixed(2)}`,
          met: fromCompose === undefined ? null : fromCompose >= 0.8 && fromCompose <= 1.25,
        },
      ],
    };
  },
};
