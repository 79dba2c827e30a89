// S1: the Go service of S0 in a local Docker container, one-line change. pitstop compiles on the
// host and ships the binary into the running container, then restarts the process. Against the
// two loops people script: rebuild the image and replace the container; copy the binary in and
// restart the container. The bare `go build` is the floor all three stand on.
import {
  BENCH_LABEL,
  PITSTOP_PROJECT_LABEL,
  prepareBases,
  requireDocker,
  sweepOnCleanup,
} from '../lib/docker.js';
import { runAlternating } from '../lib/loops.js';
import { bareNote } from '../lib/results.js';
import { editCounts, type Scenario } from '../lib/scenario.js';
import { ratio, round } from '../lib/stats.js';
import { compileLoop } from '../loops/compile.js';
import { dockerLoop } from '../loops/docker.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'go-version';
const BUILD = 'go build -o bin/svc .';
/** The port inside the container; each loop publishes it on its own free host port. */
const CONTAINER_PORT = 8080;

const pitstopYaml = (project: string) => (port: number) =>
  `name: ${project}
runtime: docker
services:
  svc:
    dir: .
    build:
      - name: compile
        cmd: ${BUILD}
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0" }
    env: { PORT: "${CONTAINER_PORT}", HOST: 0.0.0.0 }
    ports: ["${port}:${CONTAINER_PORT}"]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - sync: { from: bin/svc, to: /svc }
      - restart: process
`;

export const s1: Scenario = {
  id: 'S1',
  title:
    'Go HTTP service, one-line change, local Docker: host compile + binary live update + process restart',
  async run(ctx) {
    await requireDocker();
    await prepareBases();
    const project = `bench-s1-${ctx.runId}`;
    sweepOnCleanup([`${BENCH_LABEL}=${ctx.runId}`, `${PITSTOP_PROJECT_LABEL}=${project}`], ctx.log);

    const env = { ...ctx.env, CGO_ENABLED: '0' };
    const common = {
      scenario: 'S1',
      fixture: FIXTURE,
      editFile: 'main.go',
      hostBuild: BUILD,
      containerPort: CONTAINER_PORT,
      containerEnv: { PORT: String(CONTAINER_PORT), HOST: '0.0.0.0' },
      healthPath: '/healthz',
      versionPath: '/version',
      env,
      runId: ctx.runId,
      log: ctx.log,
    };
    const copyLoop = dockerLoop({
      ...common,
      name: 'cp+restart',
      mode: 'copy',
      copy: [{ from: 'bin/svc', to: '/svc' }],
      restart: true,
      sends: ['bin/svc'],
    });
    const loops = [
      pitstopLoop({
        fixture: FIXTURE,
        service: 'svc',
        editFile: 'main.go',
        yaml: pitstopYaml(project),
        versionUrl: (port) => `http://127.0.0.1:${port}/version`,
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
        dockerProject: project,
      }),
      // The context is the binary and the Dockerfile (.dockerignore: `*`, `!bin/svc`).
      dockerLoop({ ...common, name: 'rebuild+replace', mode: 'rebuild', sends: ['bin/svc', 'Dockerfile'] }),
      copyLoop,
      compileLoop({
        name: 'go build',
        fixture: FIXTURE,
        editFile: 'main.go',
        command: BUILD,
        env,
        runId: ctx.runId,
        // Its poll takes the Docker loops' path: through the published port of a running container.
        polled: { url: () => copyLoop.healthUrl() },
      }),
    ];
    // Four loops of which two rebuild or restart a container (seconds each): --quick measures 3 edits.
    const results = await runAlternating('S1', loops, {
      ...editCounts(ctx, { runs: 3, warmup: 0 }),
      gapMs: 300,
      parallelSetup: true,
      log: ctx.log,
    });

    const by = (loop: string) => results.find((r) => r.loop === loop)?.median_ms ?? null;
    const pitstop = by('pitstop');
    const compile = by('go build');
    const overhead = pitstop != null && compile != null ? round(pitstop - compile) : null;
    const vsRebuild = ratio(by('rebuild+replace'), pitstop);
    const vsCopy = ratio(by('cp+restart'), pitstop);
    for (const entry of results) {
      const m = entry.median_ms;
      if (entry.loop !== 'go build' && m != null && compile != null)
        entry.minus_compile_ms = round(m - compile);
    }
    const entry = results.find((r) => r.loop === 'pitstop');
    if (entry) {
      entry.speedup_vs_rebuild = vsRebuild === undefined ? null : round(vsRebuild, 2);
      entry.speedup_vs_cp_restart = vsCopy === undefined ? null : round(vsCopy, 2);
    }

    return {
      results,
      goals: [
        {
          scenario: 'S1',
          goal: 'p50 ≤ compile + 75 ms',
          measured:
            overhead == null
              ? 'not measured'
              : `pitstop − go build = ${overhead} ms${typeof entry?.beyond_build_ms === 'number' ? ` (pitstop beyond its own build step: ${entry.beyond_build_ms} ms)` : ''}${bareNote(
                  results.find((r) => r.loop === 'go build'),
                  pitstop,
                )}`,
          met: overhead == null ? null : overhead <= 75,
        },
        {
          scenario: 'S1',
          goal: '≥ 2× faster than rebuild+replace',
          measured:
            vsRebuild === undefined ? 'not measured' : `rebuild+replace/pitstop = ${vsRebuild.toFixed(2)}×`,
          met: vsRebuild === undefined ? null : vsRebuild >= 2,
        },
      ],
    };
  },
};
