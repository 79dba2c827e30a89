// The talk's advice for compiled code, from measured compiles and transfers:
//   host-compile   — a compile inside the container is slower than the same compiler on the host:
//                    compile on the host and ship the binary;
//   compiler-cache — an in-container `go build` whose cache is lost with each new container:
//                    keep GOCACHE on a volume;
//   strip-debug    — a Go binary with its debug data crosses a slow link on every change:
//                    build it with -ldflags "-s -w".
import path from 'node:path';
import type { Service } from '../model/project.js';
import type { UpdateRecord } from '../model/update.js';
import {
  commandText,
  compilerOf,
  isBuildOf,
  medianOf,
  ms,
  okDurations,
  type Rule,
  type RuleInput,
  recordsOf,
  services,
} from './advice-shared.js';
import { median, round } from './stats.js';
import type { Suggestion } from './types.js';

/** Below this a link is "slow" (100 Mbit/s): a local engine moves gigabytes per second. */
export const SLOW_LINK_BYTES_PER_SEC = 12_500_000;
/** A binary this big is worth stripping. */
const BIG_BINARY = 1_000_000;
/** What `-s -w` typically removes from a Go binary: the symbol table and DWARF data. */
const STRIP_SHARE = 0.3;
const DEFAULT_GOCACHE = '/root/.cache/go-build';

interface InContainerCompile {
  service: Service;
  command: string;
  compiler: string;
  /** Durations of its successful runs, oldest first. */
  runs: number[];
}

/** `run` live-update steps of docker services that invoke a compiler, with their measured runs. */
function inContainerCompiles(input: RuleInput): InContainerCompile[] {
  const out: InContainerCompile[] = [];
  for (const service of services(input, (s) => s.runtime === 'docker')) {
    for (const rule of service.liveUpdate) {
      if (rule.kind !== 'run') continue;
      const command = commandText(rule.cmd);
      const compiler = compilerOf(command);
      if (!compiler) continue;
      const runs = okDurations(recordsOf(input, service.name), 'run', (s) => s.detail === command);
      out.push({ service, command, compiler, runs });
    }
  }
  return out;
}

/**
 * Fires only when the history holds host compiles by the same compiler (another service's
 * build step): a guess from the in-container time alone would be advice without data. The
 * estimate is that service's compile plus the shipping of its binary, when measured.
 */
const hostCompile: Rule = (input) => {
  const out: Suggestion[] = [];
  for (const compile of inContainerCompiles(input)) {
    if (compile.runs.length < input.min) continue;
    const host = hostMeasurement(input, compile);
    if (!host) continue;
    const inContainer = medianOf(compile.runs);
    const saving = inContainer - host.compileMs - (host.shipMs ?? 0);
    if (saving < Math.max(50, 0.2 * inContainer)) continue;
    const evidence = [
      `"${compile.command}" inside the container: median ${ms(inContainer)} over ${compile.runs.length} updates`,
      `${compile.compiler} on the host (${host.service} step "${host.step}"): median ${ms(host.compileMs)} over ${host.count} builds`,
      host.shipMs === undefined
        ? 'shipping the binary is not measured yet (not counted in the estimate)'
        : `shipping ${host.service}'s binary into its container: median ${ms(host.shipMs)}`,
    ];
    out.push({
      rule: 'host-compile',
      service: compile.service.name,
      title: 'compile on the host and ship the binary',
      detail: hostCompileDetail(compile),
      savingMs: round(saving),
      evidence,
    });
  }
  return out;
};

function hostMeasurement(input: RuleInput, compile: InContainerCompile) {
  let best: { service: string; step: string; compileMs: number; count: number; shipMs?: number } | undefined;
  for (const other of services(input)) {
    for (const step of other.build) {
      if (compilerOf(commandText(step.cmd)) !== compile.compiler) continue;
      const records = recordsOf(input, other.name);
      const builds = okDurations(records, 'build', isBuildOf(step.name));
      if (builds.length < input.min || (best && builds.length <= best.count)) continue;
      // The sync of an update that shipped this step's output (the binary).
      const ships = records
        .filter((r) => r.plan?.syncs.some((op) => op.output === step.name))
        .flatMap((r) =>
          r.spans.filter((s) => s.name === 'sync' && s.outcome === 'ok').map((s) => s.durationMs),
        );
      best = { service: other.name, step: step.name, compileMs: medianOf(builds), count: builds.length };
      if (ships.length) best.shipMs = medianOf(ships);
    }
  }
  return best;
}

function hostCompileDetail(compile: InContainerCompile): string {
  const name = compile.service.name;
  if (compile.compiler !== 'go') {
    return [
      `Run "${compile.command}" as a host build step of ${name} (build: with inputs and outputs),`,
      'sync its output into the container with a sync rule, and restart the process instead of',
      'compiling inside the container.',
    ].join('\n');
  }
  return [
    `In ${name}: replace the in-container compile with a host build step and ship only the binary:`,
    '  build:',
    '    - name: compile',
    `      cmd: go build -o bin/${name} .`,
    '      inputs: ["**/*.go", go.mod, go.sum]',
    '      outputs: [bin]',
    '      env: { CGO_ENABLED: "0", GOOS: linux }',
    '  live_update:',
    `    - sync: { from: bin/${name}, to: /app }`,
    '    - restart: process',
  ].join('\n');
}

/**
 * Go's build cache lives in the container's own filesystem unless a volume holds it, so each
 * new container compiles everything again. The saving is measured: the first compile after a
 * container start against the later ones, averaged over all compiles.
 */
const compilerCache: Rule = (input) => {
  const out: Suggestion[] = [];
  for (const compile of inContainerCompiles(input)) {
    if (compile.compiler !== 'go' || compile.runs.length < input.min) continue;
    const { service } = compile;
    const cache = service.docker.env.GOCACHE ?? service.run.env.GOCACHE ?? DEFAULT_GOCACHE;
    const mounted = service.docker.volumes.some(
      (v) => cache === v.target || cache.startsWith(`${v.target.replace(/\/+$/, '')}/`),
    );
    if (mounted) continue;
    const { cold, warm } = coldAndWarm(recordsOf(input, service.name), compile.command);
    const evidence = [
      `"${compile.command}" runs inside the container: median ${ms(medianOf(compile.runs))} over ${compile.runs.length} updates`,
      `no volume is mounted at ${cache}: the build cache starts empty in every new container`,
    ];
    let savingMs: number | undefined;
    if (cold.length && warm.length && medianOf(cold) > medianOf(warm)) {
      const perColdCompile = medianOf(cold) - medianOf(warm);
      savingMs = round((perColdCompile * cold.length) / (cold.length + warm.length));
      evidence.push(
        `first compile in a new container: median ${ms(medianOf(cold))} (${cold.length}×); later ones: median ${ms(medianOf(warm))} (${warm.length}×)`,
      );
    } else {
      evidence.push('no compile right after a container start measured yet: the saving is not estimated');
    }
    out.push({
      rule: 'compiler-cache',
      service: service.name,
      title: 'keep the Go build cache on a volume',
      detail: [
        `In ${service.name}:`,
        '  docker:',
        `    volumes: ["go-build-cache:${cache}"]`,
        'Then a new container compiles only what changed, like the previous one did.',
      ].join('\n'),
      ...(savingMs === undefined ? {} : { savingMs }),
      evidence,
    });
  }
  return out;
};

/** Compile durations split into the first after a container (re)start and the rest. */
function coldAndWarm(records: readonly UpdateRecord[], command: string) {
  const cold: number[] = [];
  const warm: number[] = [];
  let fresh = false;
  for (const r of records) {
    for (const span of r.spans) {
      if (span.name === 'start' && span.outcome === 'ok') fresh = true;
      if (span.name === 'restart' && span.outcome === 'ok' && span.detail?.includes('container'))
        fresh = true;
      if (span.name !== 'run' || span.detail !== command || span.outcome !== 'ok') continue;
      (fresh ? cold : warm).push(span.durationMs);
      fresh = false;
    }
  }
  return { cold, warm };
}

/** `-s -w` already given to the linker. */
function stripped(command: string): boolean {
  return /-ldflags/.test(command) && /(^|[\s"'=])-s\b/.test(command) && /(^|[\s"'=])-w\b/.test(command);
}

const stripDebug: Rule = (input) => {
  const out: Suggestion[] = [];
  for (const service of services(input)) {
    for (const step of service.build) {
      const command = commandText(step.cmd);
      if (compilerOf(command) !== 'go' || stripped(command)) continue;
      const ships = recordsOf(input, service.name)
        .filter((r) => r.plan?.syncs.some((op) => op.output === step.name))
        .flatMap((r) =>
          r.spans.filter((s) => s.name === 'sync' && s.outcome === 'ok' && (s.bytes ?? 0) >= BIG_BINARY),
        );
      if (ships.length < input.min) continue;
      const bytes = medianOf(ships.map((s) => s.bytes!));
      const measured = ships.filter((s) => s.durationMs > 0).map((s) => s.bytes! / (s.durationMs / 1000));
      const link = input.facts.linkBytesPerSec ?? median(measured);
      if (link === undefined || link >= SLOW_LINK_BYTES_PER_SEC) continue;
      const saving = ((bytes * STRIP_SHARE) / link) * 1000;
      const linkWhere =
        input.facts.linkBytesPerSec === undefined ? `measured from ${measured.length} syncs` : 'measured';
      out.push({
        rule: 'strip-debug',
        service: service.name,
        title: 'strip debug data from the Go binary: -ldflags "-s -w"',
        detail: [
          `In ${service.name}, build step "${step.name}":`,
          `  cmd: ${command.replace(/\bgo\s+build\b/, 'go build -ldflags "-s -w"')}`,
          'The binary loses its symbol table and DWARF data (about 30 %); stack traces keep file and line.',
        ].join('\n'),
        savingMs: round(saving),
        evidence: [
          `the binary ${path.basename(firstOutput(input, service.name, step.name) ?? 'binary')} was shipped ${ships.length} times, median ${mb(bytes)}`,
          `link to the engine: ${mb(link)}/s (${round((link * 8) / 1e6, 1)} Mbit/s, ${linkWhere})`,
          `"${command}" has no -ldflags "-s -w"; about ${Math.round(STRIP_SHARE * 100)} % of ${mb(bytes)} is debug data`,
        ],
      });
    }
  }
  return out;
};

function firstOutput(input: RuleInput, service: string, step: string): string | undefined {
  for (const r of recordsOf(input, service)) {
    const op = r.plan?.syncs.find((o) => o.output === step);
    if (op) return op.from;
  }
  return undefined;
}

function mb(bytes: number): string {
  return `${round(bytes / 1e6, 1)} MB`;
}

export const compileRules: Rule[] = [hostCompile, compilerCache, stripDebug];
