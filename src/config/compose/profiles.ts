// Profiles pick the services that run: a service without `profiles` always runs; one with
// profiles runs when one of them is active (`--profile`, else COMPOSE_PROFILES from the
// environment or `.env`; `*` activates all), as in Compose.
import { describeInput } from '../zod-issues.js';
import type { Diagnostics } from './diagnostics.js';
import type { Lookup } from './interpolate.js';
import { child, type Node } from './located.js';

export interface Selection {
  enabled: Map<string, Node>;
  /** Services left out, with their profiles. */
  disabled: Map<string, string[]>;
  active: string[];
}

export function activeProfiles(given: readonly string[] | undefined, env: Lookup): string[] {
  const list = given ?? (env('COMPOSE_PROFILES') ?? '').split(',');
  return [...new Set(list.map((p) => p.trim()).filter(Boolean))];
}

export function selectByProfiles(
  services: ReadonlyMap<string, Node>,
  given: readonly string[] | undefined,
  env: Lookup,
  diag: Diagnostics,
): Selection {
  const active = activeProfiles(given, env);
  const all = active.includes('*');
  const out: Selection = { enabled: new Map(), disabled: new Map(), active };
  for (const [name, service] of services) {
    const node = child(service, 'profiles');
    let profiles: string[] = [];
    if (node && node.value !== null) {
      if (Array.isArray(node.value) && node.value.every((p) => typeof p === 'string')) profiles = node.value;
      else
        diag.error(node.where.origin, `expected a list of profile names, got ${describeInput(node.value)}`);
    }
    if (profiles.length === 0 || all || profiles.some((p) => active.includes(p)))
      out.enabled.set(name, service);
    else out.disabled.set(name, profiles);
  }
  return out;
}
