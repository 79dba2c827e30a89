// `healthcheck` → readiness: the test runs inside the container (an `exec` check), as Docker runs
// it. pitstop only asks "is it ready yet?" while a service starts, which is what Compose's
// start_interval is for; so it polls every start_interval when one is written, else every
// min(interval, 1s): a 30s monitoring interval must not hold up a save. It gives up after
// start_period + retries × interval (defaults 0s, 3, 30s): when Docker would call the container
// unhealthy and Compose would fail its `service_healthy` dependents.
import type { Command, Readiness } from '../../model/project.js';
import { describeInput } from '../zod-issues.js';
import { parseGoDuration } from './go-duration.js';
import { HEALTHCHECK_KEYS } from './keys.js';
import { child, isMap } from './located.js';
import type { ServiceScope } from './scope.js';

const NONE: Readiness = { check: { kind: 'none' }, timeoutMs: 60_000 };
const POLL_CAP_MS = 1000;

export interface MappedHealth {
  ready: Readiness;
  /** The service has a healthcheck (so `service_healthy` means something). */
  defined: boolean;
}

function testCommand(scope: ServiceScope, test: unknown): Command | 'none' | undefined {
  const rel = ['healthcheck', 'test'];
  if (typeof test === 'string') return test.trim() === '' ? undefined : { shell: test };
  if (!Array.isArray(test) || !test.every((t) => typeof t === 'string')) {
    scope.error(
      rel,
      `expected a command string or a list like ["CMD", "pg_isready"], got ${describeInput(test)}`,
    );
    return undefined;
  }
  const [kind, ...rest] = test as string[];
  if (kind === 'NONE') return 'none';
  if (kind === 'CMD' && rest.length > 0) return { argv: rest };
  if (kind === 'CMD-SHELL' && rest.length > 0) return { shell: rest.join(' ') };
  scope.error(rel, `a healthcheck test list starts with "CMD", "CMD-SHELL" or "NONE", then the command`, {
    hint: 'e.g. ["CMD", "pg_isready", "-U", "postgres"] or ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]',
  });
  return undefined;
}

export function mapHealthcheck(scope: ServiceScope): MappedHealth {
  const node = child(scope.node, 'healthcheck');
  if (!node || node.value === null) return { ready: NONE, defined: false };
  if (!isMap(node.value)) {
    scope.error(['healthcheck'], `expected a map with "test", got ${describeInput(node.value)}`);
    return { ready: NONE, defined: false };
  }
  scope.checkKeys(node, ['healthcheck'], HEALTHCHECK_KEYS);
  if (scope.flag(child(node, 'disable'), ['healthcheck', 'disable'])) return { ready: NONE, defined: false };

  const duration = (key: string, fallback: number): number => {
    const text = scope.text(child(node, key), ['healthcheck', key], 'a duration like "10s"');
    if (text === undefined) return fallback;
    const ms = parseGoDuration(text);
    if (ms === undefined) {
      scope.error(['healthcheck', key], `invalid duration "${text}"`, {
        hint: 'e.g. "10s", "1m30s", "500ms"',
      });
      return fallback;
    }
    return ms;
  };
  // Docker reads 0 as "the default" for interval and retries.
  const interval = duration('interval', 30_000) || 30_000;
  const startPeriod = duration('start_period', 0);
  const startInterval = child(node, 'start_interval') ? duration('start_interval', 5_000) : undefined;
  duration('timeout', 30_000);
  const retriesText = scope.text(child(node, 'retries'), ['healthcheck', 'retries'], 'a number');
  let retries = 3;
  if (retriesText !== undefined) {
    if (/^\d+$/.test(retriesText)) retries = Number(retriesText) || 3;
    else scope.error(['healthcheck', 'retries'], `expected a whole number, got "${retriesText}"`);
  }

  const test = child(node, 'test');
  if (!test) {
    // Compose allows tuning the image's own HEALTHCHECK without restating its test.
    scope.warn(
      ['healthcheck'],
      "no test: pitstop does not read the image's own HEALTHCHECK yet (no readiness check)",
    );
    return { ready: NONE, defined: false };
  }
  const cmd = testCommand(scope, test.value);
  if (cmd === undefined || cmd === 'none') return { ready: NONE, defined: false };
  const intervalMs = startInterval ?? Math.min(interval, POLL_CAP_MS);
  return {
    ready: { check: { kind: 'exec', cmd, intervalMs }, timeoutMs: startPeriod + retries * interval },
    defined: true,
  };
}
