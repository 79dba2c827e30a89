// dockerfile-order: the talk's "cache dependencies". When a Dockerfile copies the whole build
// context before installing dependencies (a fact the caller reads from the Dockerfile), every
// code change invalidates the install layer. The measurements say what it costs: the install
// sub-step of the image builds, run again (not cached) build after build.
import type { Span, UpdateRecord } from '../model/update.js';
import { medianOf, ms, type Rule, recordsOf } from './advice-shared.js';
import { round } from './stats.js';
import type { DockerfileFinding, Suggestion } from './types.js';

/** Dependency installs as BuildKit names them (`[3/5] RUN npm ci`), per tool. */
const INSTALLS: Record<string, RegExp> = {
  npm: /\bnpm\s+(ci|install|i)\b/,
  yarn: /\byarn(\s+install)?(\s|$)/,
  pnpm: /\bpnpm\s+(install|i)\b/,
  pip: /\bpip3?\s+install\b/,
  go: /\bgo\s+(mod\s+download|build|install)\b/,
  bundler: /\bbundle\s+install\b/,
  composer: /\bcomposer\s+install\b/,
  cargo: /\bcargo\s+(build|fetch)\b/,
};
/** Installs that also compile the code: the download is only part of their time. */
const COMPILES = /\b(go\s+(build|install)|cargo\s+build)\b/;

export const dockerfileRule: Rule = (input) => {
  const out: Suggestion[] = [];
  for (const [service, findings] of Object.entries(input.facts.dockerfileAdvice ?? {})) {
    for (const finding of findings) {
      const suggestion = fromFinding(service, finding, recordsOf(input, service), input.min);
      if (suggestion) out.push(suggestion);
    }
  }
  return out;
};

function fromFinding(
  service: string,
  finding: DockerfileFinding,
  records: readonly UpdateRecord[],
  min: number,
): Suggestion | undefined {
  const steps = installSteps(records, finding.tool);
  const ran = steps.filter((s) => s.outcome === 'ok');
  const cached = steps.filter((s) => s.outcome === 'cached');
  if (ran.length < min) return undefined;
  const name = (ran[ran.length - 1]!.detail ?? '').replace(/^\[[^\]]*\]\s*/, '');
  const runMs = medianOf(ran.map((s) => s.durationMs));
  const compiles = COMPILES.test(name);
  const evidence = [
    `"${name}" ran again in ${ran.length} of ${steps.length} image builds: median ${ms(runMs)}`,
    `cached in ${cached.length} image build${cached.length === 1 ? '' : 's'}`,
    finding.message.replace(/[:;]\s*copy the dependency files first:?$/, ''),
  ];
  if (compiles) evidence.push('that step also compiles: only its download part is saved, so no estimate');
  return {
    rule: 'dockerfile-order',
    service,
    title: 'copy the dependency files first, so the install layer stays cached',
    detail: [finding.message, ...finding.suggestion.map((line) => `  ${line}`)].join('\n'),
    ...(compiles ? {} : { savingMs: round(runMs) }),
    evidence,
  };
}

/** The install sub-step of each image build that did work (one per build at most). */
function installSteps(records: readonly UpdateRecord[], tool: string | undefined): Span[] {
  const tests = tool && INSTALLS[tool] ? [INSTALLS[tool]] : Object.values(INSTALLS);
  const out: Span[] = [];
  for (const r of records) {
    for (const image of r.spans) {
      if (image.name !== 'image' || image.outcome !== 'ok') continue;
      const step = image.children?.find(
        (c) => /\bRUN\b/.test(c.detail ?? '') && tests.some((t) => t.test(c.detail ?? '')),
      );
      if (step) out.push(step);
    }
  }
  return out;
}
