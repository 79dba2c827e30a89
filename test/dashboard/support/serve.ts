// A dashboard over in-memory deps in a process of its own, for looking at the page by hand:
//   npx tsx test/dashboard/support/serve.ts [--demo]     (--demo adds sample updates, logs, advice)
// Prints the URL on its first line; stops on SIGTERM/SIGINT.
import { startDashboard } from '../../../src/ui/dashboard/server.js';
import { makeDeps, sampleRecord, sampleSuggestion } from './deps.js';

const deps = makeDeps(['api', 'web', 'worker']);
if (process.argv.includes('--demo')) {
  const start = Date.now() - 3_600_000;
  for (let i = 0; i < 30; i++) {
    deps.historyStore.record(
      sampleRecord('api', i, { startedAt: start + i * 100_000, editToLiveMs: 250 + (i % 6) * 30 }),
    );
  }
  deps.suggestions.push(sampleSuggestion);
  for (const service of ['api', 'web', 'worker'])
    deps.events.emit({ type: 'service-state', service, state: 'ready' });
  for (let i = 0; i < 200; i++)
    deps.events.emit({ type: 'log', service: 'api', stream: 'stdout', line: `request ${i}` });
  deps.events.emit({ type: 'update-finished', record: sampleRecord('api', 31) });
}
const dashboard = await startDashboard(deps);
console.log(dashboard.url);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void dashboard
      .close()
      .then(() => deps.dispose())
      .then(() => process.exit(0));
  });
}
