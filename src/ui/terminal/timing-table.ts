// The table `pitstop ci` ends with: per service, its state and the time of each start step.
import type { ServiceStatus } from '../../engine/session.js';
import type { StepName, UpdateRecord } from '../../model/update.js';
import { formatMs } from '../../util/format.js';

const COLUMNS: StepName[] = ['build', 'start', 'ready'];

export function timingTable(services: ServiceStatus[], records: UpdateRecord[]): string {
  const rows = services.map((s) => {
    const record = [...records].reverse().find((r) => r.service === s.name && r.kind !== 'live');
    const cells = COLUMNS.map((step) => {
      const spans = record?.spans.filter((sp) => sp.name === step) ?? [];
      if (spans.length === 0) return '-';
      if (spans.every((sp) => sp.outcome === 'cached')) return 'cached';
      const total = spans.reduce((sum, sp) => sum + (sp.outcome === 'cached' ? 0 : sp.durationMs), 0);
      return `${formatMs(total)}${spans.some((sp) => sp.outcome === 'failed') ? ' ✗' : ''}`;
    });
    const total = record?.finishedAt ? formatMs(record.finishedAt - record.startedAt) : '-';
    const message = record?.outcome === 'ok' ? 'ready' : (record?.error?.message ?? s.state);
    const outcome = message.length > 90 ? `${message.slice(0, 89)}…` : message;
    return [s.name, ...cells, total, outcome];
  });
  const header = ['service', ...COLUMNS, 'total', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
