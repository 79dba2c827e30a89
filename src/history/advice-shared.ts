// What the advisor's rules share: their input and the small measurements they all take.
import type { Command, Project, Service } from '../model/project.js';
import type { Span, StepName, UpdateRecord } from '../model/update.js';
import { median } from './stats.js';
import type { AdvisorFacts, Suggestion } from './types.js';

/** What every rule gets: the project, records per service (oldest first) and the facts. */
export interface RuleInput {
  project: Project;
  records: ReadonlyMap<string, readonly UpdateRecord[]>;
  facts: AdvisorFacts;
  /** Measured updates a rule needs before it may speak. */
  min: number;
}

export type Rule = (input: RuleInput) => Suggestion[];

export function commandText(cmd: Command): string {
  return 'shell' in cmd ? cmd.shell : cmd.argv.join(' ');
}

const COMPILERS: { id: string; test: RegExp }[] = [
  { id: 'go', test: /\bgo\s+build\b/ },
  { id: 'cargo', test: /\bcargo\s+build\b/ },
  { id: 'tsc', test: /(^|[\s/])tsc\b/ },
  { id: 'javac', test: /\bjavac\b/ },
  { id: 'maven', test: /(^|[\s/])mvnw?\b/ },
  { id: 'gradle', test: /(^|[\s/])gradlew?\b/ },
  { id: 'dotnet', test: /\bdotnet\s+build\b/ },
];

/** Which compiler a command runs, if it runs one. */
export function compilerOf(text: string): string | undefined {
  return COMPILERS.find((c) => c.test.test(text))?.id;
}

/** Durations of the top-level spans of `records` passing `test` that did work and succeeded. */
export function okDurations(
  records: readonly UpdateRecord[],
  name: StepName,
  test: (s: Span) => boolean = () => true,
) {
  return records.flatMap((r) =>
    r.spans.filter((s) => s.name === name && s.outcome === 'ok' && test(s)).map((s) => s.durationMs),
  );
}

/** A build span belongs to the step named `step` (its detail is the step name, then `: …`). */
export function isBuildOf(step: string) {
  return (s: Span) => s.detail === step || (s.detail?.startsWith(`${step}: `) ?? false);
}

/** How long an update took the user: edit-to-live when it was started by an edit, else its own length. */
export function updateMs(r: UpdateRecord): number | undefined {
  if (r.editToLiveMs !== undefined) return r.editToLiveMs;
  return r.finishedAt === undefined ? undefined : r.finishedAt - r.startedAt;
}

export function medianOf(values: readonly number[]): number {
  return median(values) ?? 0;
}

/** `1.2 s` / `340 ms`: numbers in evidence sentences. */
export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 1 : 2)} s` : `${Math.round(value)} ms`;
}

export function services(input: RuleInput, test: (s: Service) => boolean = () => true): Service[] {
  return input.project.services.filter(test);
}

export function recordsOf(input: RuleInput, service: string): readonly UpdateRecord[] {
  return input.records.get(service) ?? [];
}
