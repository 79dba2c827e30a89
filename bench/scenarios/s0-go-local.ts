// S0: a Go HTTP service on the host, one-line change, compile + restart. pitstop against entr
// doing the same compile + restart, with the bare `go build` as the floor both stand on.

import { runAlternating } from '../lib/loops.js';
import { bareNote } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { ratio, round } from '../lib/stats.js';
import { compileLoop } from '../loops/compile.js';
import { entrLoop } from '../loops/entr.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'go-version';
const BUILD = 'go build -o bin/svc .';

const pitstopYaml = (port: number) => `name: bench-s0
services:
  svc:
    dir: .
    build:
      - name: compile
        cmd: ${BUILD}
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0" }
    run: ./bin/svc
    env: { PORT: "${port}" }
    ports: [${port}]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - restart: process
`;

export const s0: Scenario = {
  id: 'S0',
  title: 'Go HTTP service, one-line change, local process: compile + restart',
  async run(ctx) {
    // The same toolchain settings for every loop; pitstop's comes from its project file.
    const env = { ...ctx.env, CGO_ENABLED: '0' };
    const url = (p: string) => (port: number) => `http://127.0.0.1:${port}${p}`;
    const loops = [
      pitstopLoop({
        fixture: FIXTURE,
        service: 'svc',
        editFile: 'main.go',
        yaml: pitstopYaml,
        versionUrl: url('/version'),
        env: ctx.env,
        runId: ctx.runId,
        log: ctx.log,
      }),
      entrLoop({
        fixture: FIXTURE,
        watch: ['main.go'],
        command: `${BUILD} && exec ./bin/svc`,
        editFile: 'main.go',
        healthUrl: url('/healthz'),
        versionUrl: url('/version'),
        env,
        runId: ctx.runId,
        log: ctx.log,
      }),
      compileLoop({
        name: 'go build',
        fixture: FIXTURE,
        editFile: 'main.go',
        command: BUILD,
        env,
        runId: ctx.runId,
        polled: { binary: 'bin/svc' },
      }),
    ];
    const results = await runAlternating('S0', loops, {
      warmup: ctx.warmup,
      runs: ctx.runs,
      gapMs: 300,
      log: ctx.log,
    });

    const by = (loop: string) => results.find((r) => r.loop === loop)?.median_ms ?? null;
    const pitstop = by('pitstop');
    const entr = by('entr');
    const compile = by('go build');
    const overhead = pitstop != null && compile != null ? round(pitstop - compile) : null;
    const vsEntr = ratio(pitstop, entr);
    const entry = results.find((r) => r.loop === 'pitstop');
    if (entry) {
      entry.minus_compile_ms = overhead;
      entry.ratio_vs_entr = vsEntr === undefined ? null : round(vsEntr, 3);
    }
    const entrEntry = results.find((r) => r.loop === 'entr');
    if (entrEntry && entr != null && compile != null) entrEntry.minus_compile_ms = round(entr - compile);

    return {
      results,
      goals: [
        {
          scenario: 'S0',
          goal: 'p50 ≤ compile + 50 ms',
          measured:
            overhead == null
              ? 'not measured'
              : `pitstop − go build = ${overhead} ms${bareNote(
                  results.find((r) => r.loop === 'go build'),
                  pitstop,
                )}`,
          met: overhead == null ? null : overhead <= 50,
        },
        {
          scenario: 'S0',
          goal: 'not slower than entr',
          measured: vsEntr === undefined ? 'not measured' : `pitstop/entr = ${vsEntr.toFixed(2)}`,
          met: vsEntr === undefined ? null : vsEntr <= 1,
        },
      ],
    };
  },
};
