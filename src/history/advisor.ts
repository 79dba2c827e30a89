// The talk's advice, turned into suggestions for this project from its own measurements. Pure:
// the project model, the recorded updates and a few facts in; suggestions out. Every rule
// needs a minimum number of measured updates before it speaks, and every suggestion carries
// the numbers it rests on — no advice from the configuration alone.
import type { Project } from '../model/project.js';
import type { UpdateRecord } from '../model/update.js';
import { compileRules } from './advice-compile.js';
import { dockerfileRule } from './advice-image.js';
import type { Rule, RuleInput } from './advice-shared.js';
import { syncRule } from './advice-sync.js';
import type { AdvisorFacts, Suggestion } from './types.js';

export const DEFAULT_MIN_UPDATES = 3;

const RULES: Rule[] = [...compileRules, dockerfileRule, syncRule];

export function advise(
  project: Project,
  records: readonly UpdateRecord[],
  facts: AdvisorFacts = {},
): Suggestion[] {
  const byService = new Map<string, UpdateRecord[]>();
  for (const r of [...records].sort((a, b) => a.startedAt - b.startedAt)) {
    const list = byService.get(r.service) ?? [];
    byService.set(r.service, list);
    list.push(r);
  }
  const input: RuleInput = {
    project,
    records: byService,
    facts,
    min: facts.minUpdates ?? DEFAULT_MIN_UPDATES,
  };
  const out = RULES.flatMap((rule) => rule(input));
  // Biggest expected saving first; suggestions without an estimate after those with one.
  return out.sort((a, b) => (b.savingMs ?? -1) - (a.savingMs ?? -1));
}
