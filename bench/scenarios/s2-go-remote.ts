// S2: S1 over a remote Docker host behind a 20 Mbit/s link (the test infrastructure's second
// daemon: scripts/remote-docker.sh up). pitstop compiles on the host and ships the binary to the
// running container on its payload diet (raw / gzip / a delta against what the container holds,
// chosen from the measured link), then restarts the process. Against the loops people script:
// rebuild the image on the remote daemon (the context travels over the link) and replace the
// container; copy the binary in and restart the container; the same with the stripped binary
// (`-ldflags "-s -w"`, the talk's trick for slow links). pitstop runs twice: with the default
// build, as a user who changed nothing would, and with -s -w.
import { BENCH_LABEL, PITSTOP_PROJECT_LABEL, requireDocker, sweepOnCleanup } from '../lib/docker.js';
import { runAlternating } from '../lib/loops.js';
import { onCleanup } from '../lib/procs.js';
import {
  lockRemoteLink,
  REMOTE_ADDR,
  remoteEnv,
  remoteLinkPresent,
  remoteMissing,
  remotePort,
} from '../lib/remote.js';
import { bareNote, type GoalCheck, type ResultEntry } from '../lib/results.js';
import { editCounts, type Scenario, skippedOutcome } from '../lib/scenario.js';
import { ratio, round } from '../lib/stats.js';
import { compileLoop } from '../loops/compile.js';
import { dockerLoop } from '../loops/docker.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'go-version';
const BUILD = 'go build -o bin/svc .';
const BUILD_STRIPPED = 'go build -ldflags "-s -w" -o bin/svc .';
const CONTAINER_PORT = 8080;

const COMPILE_GOAL_MS = 150;
const WIRE_GOAL_BYTES = 100 * 1024;
const SPEEDUP_GOAL = 5;

/** The two builds measured: each pitstop loop, its copy baseline and its compile reference. */
const VARIANTS = [
  { suffix: '', build: BUILD },
  { suffix: ' -s -w', build: BUILD_STRIPPED },
] as const;

const pitstopYaml = (project: string, build: string) => (port: number) =>
  `name: ${project}
runtime: docker
services:
  svc:
    dir: .
    build:
      - name: compile
        cmd: ${JSON.stringify(build)}
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0" }
    env: { PORT: "${CONTAINER_PORT}" }
    docker: { env: { HOST: 0.0.0.0 } }
    ports: ["${port}:${CONTAINER_PORT}"]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - sync: { from: bin/svc, to: /svc }
      - restart: process
`;

const GOALS = [
  `p50 ≤ compile + ${COMPILE_GOAL_MS} ms`,
  '≤ 100 KB on the wire',
  `≥ ${SPEEDUP_GOAL}× faster than rebuild+replace`,
];

export const s2: Scenario = {
  id: 'S2',
  title: 'S1 over a remote Docker host behind a 20 Mbit/s link: payload diet (raw / gzip / delta)',
  async run(ctx) {
    // A test that breaks the link on purpose holds its lock meanwhile: take the lock first, then
    // ask whether the remote answers. No link at all (the host was never set up) skips at once.
    if (!(await remoteLinkPresent())) {
      const missing = (await remoteMissing()) ?? 'the remote host is not up (scripts/remote-docker.sh up)';
      ctx.log(`  skipped: ${missing}`);
      return skippedOutcome('S2', missing, GOALS);
    }
    const release = await lockRemoteLink(10 * 60_000, ctx.log);
    const unlock = onCleanup(async () => release());
    try {
      const missing = await remoteMissing();
      if (missing) {
        ctx.log(`  skipped: ${missing}`);
        return skippedOutcome('S2', missing, GOALS);
      }
      await requireDocker();
      return await measure(ctx);
    } finally {
      release();
      unlock();
    }
  },
};

async function measure(ctx: Parameters<Scenario['run']>[0]) {
  const env = remoteEnv({ ...ctx.env, CGO_ENABLED: '0' });
  const pitstopEnv = remoteEnv(ctx.env);
  const projects = VARIANTS.map((v) => `bench-s2${v.suffix ? '-stripped' : ''}-${ctx.runId}`);
  sweepOnCleanup(
    [`${BENCH_LABEL}=${ctx.runId}`, ...projects.map((p) => `${PITSTOP_PROJECT_LABEL}=${p}`)],
    ctx.log,
    env,
  );

  const common = {
    scenario: 'S2',
    fixture: FIXTURE,
    editFile: 'main.go',
    containerPort: CONTAINER_PORT,
    containerEnv: { PORT: String(CONTAINER_PORT), HOST: '0.0.0.0' },
    healthPath: '/healthz',
    versionPath: '/version',
    env,
    host: REMOTE_ADDR,
    port: remotePort,
    runId: ctx.runId,
    log: ctx.log,
  };
  const pitstops = VARIANTS.map((v, i) =>
    pitstopLoop({
      name: `pitstop${v.suffix}`,
      fixture: FIXTURE,
      service: 'svc',
      editFile: 'main.go',
      yaml: pitstopYaml(projects[i]!, v.build),
      versionUrl: (port) => `http://${REMOTE_ADDR}:${port}/version`,
      env: pitstopEnv,
      runId: ctx.runId,
      log: ctx.log,
      dockerProject: projects[i]!,
      port: remotePort,
      // The first sync after a start sends the whole file (compressed): the container's copy came
      // with the image, whose bytes pitstop does not keep. Every later one can be a delta.
      warmup: 1,
    }),
  );
  const copies = VARIANTS.map((v) =>
    dockerLoop({
      ...common,
      name: `cp+restart${v.suffix}`,
      hostBuild: v.build,
      mode: 'copy',
      copy: [{ from: 'bin/svc', to: '/svc' }],
      restart: true,
      sends: ['bin/svc'],
    }),
  );
  const loops = [
    pitstops[0]!,
    pitstops[1]!,
    // The context is the binary and the Dockerfile (.dockerignore: `*`, `!bin/svc`).
    dockerLoop({
      ...common,
      name: 'rebuild+replace',
      hostBuild: BUILD,
      mode: 'rebuild',
      sends: ['bin/svc', 'Dockerfile'],
    }),
    ...copies,
    ...VARIANTS.map((v, i) =>
      compileLoop({
        name: `go build${v.suffix}`,
        fixture: FIXTURE,
        editFile: 'main.go',
        command: v.build,
        env,
        runId: ctx.runId,
        // Polled as the other loops poll: the remote host's published port, over the link.
        polled: { url: () => copies[i]!.healthUrl() },
      }),
    ),
  ];
  // Seven loops, three of which send megabytes over the link on each edit (a round takes about
  // 20 s): --quick measures 2 edits (pitstop's own warm-up edit stays: without it the first
  // measured sync would be the one against the image's file).
  const results = await runAlternating('S2', loops, {
    ...editCounts(ctx, { runs: 2, warmup: 0 }),
    gapMs: 300,
    parallelSetup: true,
    log: ctx.log,
  });
  return { results, goals: judge(results, ctx.earlier) };
}

function judge(results: ResultEntry[], earlier: readonly ResultEntry[]): GoalCheck[] {
  const find = (loop: string) => results.find((r) => r.loop === loop);
  const median = (loop: string) => find(loop)?.median_ms ?? null;
  const rebuild = median('rebuild+replace');
  // The stripped copy loop and compile reference are judged against the stripped pitstop.
  for (const v of VARIANTS) {
    if (!v.suffix) continue;
    for (const loop of [`cp+restart${v.suffix}`, `go build${v.suffix}`]) {
      const entry = find(loop);
      if (entry) entry.vs = `pitstop${v.suffix}`;
    }
  }
  for (const entry of results) {
    const compile = median(entry.loop.includes('-s -w') ? 'go build -s -w' : 'go build');
    if (!entry.loop.startsWith('go build') && entry.median_ms != null && compile != null)
      entry.minus_compile_ms = round(entry.median_ms - compile);
  }

  // S1 ran on the local engine earlier in this run: the same service and edit, where the diet
  // must choose raw and cost nothing (no encoding, no bytes saved, the sync as fast as before).
  const s1 = earlier.find((r) => r.scenario === 'S1' && r.loop === 'pitstop');
  const local =
    s1 && s1.median_ms != null
      ? {
          median_ms: s1.median_ms,
          sync_ms: (s1.steps_median_ms as Record<string, number> | undefined)?.sync ?? null,
          bytes: s1.bytes_median,
          choices: s1.sync_choices ?? null,
        }
      : null;

  const goals: GoalCheck[] = [];
  for (const v of VARIANTS) {
    const name = `pitstop${v.suffix}`;
    const entry = find(name);
    const pitstop = median(name);
    const compile = median(`go build${v.suffix}`);
    const overhead = pitstop != null && compile != null ? round(pitstop - compile) : null;
    const vsRebuild = ratio(rebuild, pitstop);
    const vsCopy = ratio(median(`cp+restart${v.suffix}`), pitstop);
    const wire = entry?.bytes_median ?? null;
    if (entry) {
      entry.speedup_vs_rebuild = vsRebuild === undefined ? null : round(vsRebuild, 2);
      entry.speedup_vs_cp_restart = vsCopy === undefined ? null : round(vsCopy, 2);
      if (local) {
        entry.s1_local = local;
        const r = ratio(pitstop, local.median_ms);
        entry.vs_s1_local = r === undefined ? null : round(r, 2);
      }
    }
    const label = v.suffix ? ` (${name})` : '';
    const beyond = typeof entry?.beyond_build_ms === 'number' ? entry.beyond_build_ms : undefined;
    goals.push(
      {
        scenario: 'S2',
        goal: `p50 ≤ compile + ${COMPILE_GOAL_MS} ms${label}`,
        measured:
          overhead == null
            ? 'not measured'
            : `${name} − go build${v.suffix} = ${overhead} ms${beyond === undefined ? '' : ` (beyond its own build step: ${beyond} ms)`}${bareNote(find(`go build${v.suffix}`), pitstop)}`,
        met: overhead == null ? null : overhead <= COMPILE_GOAL_MS,
      },
      {
        scenario: 'S2',
        goal: `≤ 100 KB on the wire${label}`,
        measured:
          wire == null
            ? 'not measured'
            : `${formatKb(wire)} per edit (median), ${describeChoices(entry?.sync_choices)}${describeFirst(entry?.first_edit)}`,
        met: wire == null ? null : wire <= WIRE_GOAL_BYTES,
      },
      {
        scenario: 'S2',
        goal: `≥ ${SPEEDUP_GOAL}× faster than rebuild+replace${label}`,
        measured:
          vsRebuild === undefined
            ? 'not measured'
            : `rebuild+replace/${name} = ${vsRebuild.toFixed(2)}× (cp+restart${v.suffix}/${name} = ${vsCopy?.toFixed(2) ?? '-'}×)`,
        met: vsRebuild === undefined ? null : vsRebuild >= SPEEDUP_GOAL,
      },
    );
  }

  // Not a goal of the brief's table, but its premise: on a local engine the diet sends raw.
  const rawLocally = local
    ? Object.keys((local.choices as Record<string, number> | null) ?? {}).every((c) => c === 'raw')
    : null;
  goals.push({
    scenario: 'S2',
    goal: 'the diet costs nothing locally (S1 on the local engine: raw)',
    measured: local
      ? `S1 pitstop ${local.median_ms} ms, sync ${local.sync_ms ?? '-'} ms for ${formatKb(local.bytes ?? 0)}, ${describeChoices(local.choices)}; S2 pitstop ${median('pitstop') ?? '-'} ms`
      : 'not measured (run S1 in the same run: --only S1,S2)',
    met: local?.choices ? rawLocally : null,
  });
  return goals;
}

function formatKb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The first edit after the start: its delta is against the file the image was built with. */
function describeFirst(first: unknown): string {
  const f = first as { bytes?: number; ms?: number } | undefined;
  return typeof f?.bytes === 'number'
    ? `; first edit after the start ${formatKb(f.bytes)} in ${f.ms} ms`
    : '';
}

function describeChoices(choices: unknown): string {
  if (!choices || typeof choices !== 'object') return 'choice unknown';
  const parts = Object.entries(choices as Record<string, number>).map(([c, n]) => `${c} ×${n}`);
  return parts.length ? `chose ${parts.join(', ')} (warm-ups included)` : 'choice unknown';
}
