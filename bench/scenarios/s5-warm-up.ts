// S5: `pitstop up` of an unchanged five-service Docker project whose images a first `pitstop up`
// already built (then `pitstop down`): time to all ready, and how many images it built (none,
// if the content-hash tags do their job). Against the same project's first start: its images
// removed before every run.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PITSTOP_PROJECT_LABEL, prepareBases, requireDocker, sweepOnCleanup } from '../lib/docker.js';
import { runAlternating } from '../lib/loops.js';
import { editCounts, type Scenario } from '../lib/scenario.js';
import { ratio } from '../lib/stats.js';
import { fixturesDir } from '../lib/tmp.js';
import { startupLoop } from '../loops/startup.js';

const CONTAINER_PORT = 8080;
const GOAL_MS = 1500;

/** Two Node services (web depends on api) and three busybox httpd sites: small images, quick starts. */
const SERVICES = [
  { name: 'api', fixture: 'node-version', ready: '/healthz' },
  { name: 'web', fixture: 'node-version', ready: '/healthz', dependsOn: 'api' },
  { name: 'static', fixture: 'static-version', ready: '/' },
  { name: 'docs', fixture: 'static-version', ready: '/' },
  { name: 'assets', fixture: 'static-version', ready: '/' },
] as const;

function writeProject(dir: string, project: string, ports: number[]): void {
  const services = SERVICES.map((s, i) => {
    const target = path.join(dir, s.name);
    mkdirSync(target, { recursive: true });
    cpSync(path.join(fixturesDir, s.fixture), target, { recursive: true });
    // A file of its own in each context, so no two services share an image.
    const own =
      s.fixture === 'static-version'
        ? path.join(target, 'public', 'service.txt')
        : path.join(target, 'src', 'service.js');
    writeFileSync(
      own,
      s.fixture === 'static-version' ? `${s.name}\n` : `export const service = '${s.name}';\n`,
    );
    const port = ports[i]!;
    return `  ${s.name}:
    dir: ${s.name}
    env: { PORT: "${CONTAINER_PORT}" }
    ports: ["${port}:${CONTAINER_PORT}"]
    ready: { http: http://127.0.0.1:${port}${s.ready} }${'dependsOn' in s ? `\n    depends_on: [${s.dependsOn}]` : ''}`;
  });
  writeFileSync(
    path.join(dir, 'pitstop.yaml'),
    `name: ${project}\nruntime: docker\nservices:\n${services.join('\n')}\n`,
  );
}

export const s5: Scenario = {
  id: 'S5',
  title: '`pitstop up` of an unchanged 5-service project with warm caches',
  async run(ctx) {
    await requireDocker();
    await prepareBases();
    const warmProject = `bench-s5-warm-${ctx.runId}`;
    const coldProject = `bench-s5-cold-${ctx.runId}`;
    sweepOnCleanup(
      [`${PITSTOP_PROJECT_LABEL}=${warmProject}`, `${PITSTOP_PROJECT_LABEL}=${coldProject}`],
      ctx.log,
    );
    const common = { ports: SERVICES.length, write: writeProject, env: ctx.env, log: ctx.log };
    const loops = [
      startupLoop({ ...common, name: 'pitstop', project: warmProject, cold: false }),
      startupLoop({ ...common, name: 'first start', project: coldProject, cold: true }),
    ];
    // A start and its stop take seconds: one warm-up at most, and --quick measures two of each.
    const counts = editCounts(ctx, { runs: 2, warmup: 0 });
    const results = await runAlternating('S5', loops, {
      runs: counts.runs,
      warmup: Math.min(counts.warmup, 1),
      gapMs: 300,
      log: ctx.log,
    });

    const warm = results.find((r) => r.loop === 'pitstop');
    const cold = results.find((r) => r.loop === 'first start');
    const builds = typeof warm?.image_builds === 'number' ? warm.image_builds : null;
    const maxBuilds = typeof warm?.image_builds_max === 'number' ? warm.image_builds_max : builds;
    const r = ratio(warm?.median_ms, cold?.median_ms);
    return {
      results,
      goals: [
        {
          scenario: 'S5',
          goal: `all ready ≤ ${GOAL_MS / 1000} s`,
          measured:
            warm?.median_ms == null
              ? 'not measured'
              : `warm up = ${warm.median_ms} ms${r === undefined ? '' : ` (first start = ${cold?.median_ms} ms, ratio ${r.toFixed(2)})`}`,
          met: warm?.median_ms == null ? null : warm.median_ms <= GOAL_MS,
        },
        {
          scenario: 'S5',
          goal: 'zero image builds',
          measured:
            maxBuilds == null ? 'not measured' : `at most ${maxBuilds} image build(s) in a warm start`,
          met: maxBuilds == null ? null : maxBuilds === 0,
        },
      ],
    };
  },
};
