// The report as a compact table for the terminal. Everything shown here is in the JSON too.
import pc from 'picocolors';
import { formatBytes, formatMs } from '../util/format.js';
import type { Delta, Report, ServiceReport } from './report.js';
import { round } from './stats.js';
import { describeWindow } from './window.js';

export function formatReport(report: Report): string {
  const lines = [pc.bold(`${report.project} · ${describeReportWindow(report)}`)];
  if (report.services.length === 0) {
    lines.push('', 'no updates recorded in this window');
    return `${lines.join('\n')}\n`;
  }
  for (const service of report.services) lines.push('', ...serviceLines(service));
  if (report.slowest.length) {
    lines.push('', pc.bold('slowest steps'));
    const width = Math.max(...report.slowest.map((s) => s.service.length));
    const labels = report.slowest.map((s) => (s.detail ? `${s.step} › ${s.detail}` : s.step));
    const labelWidth = Math.min(Math.max(...labels.map((l) => l.length)), 48);
    report.slowest.forEach((s, i) => {
      const label = truncate(labels[i]!, 48).padEnd(labelWidth);
      lines.push(
        `  ${s.service.padEnd(width)}  ${label}  ${ms(s.medianMs).padStart(7)}  ${pc.dim(`(${s.count})`)}`,
      );
    });
  }
  if (report.compare) {
    const w = describeWindow(report.compare.windowMs);
    lines.push('', pc.bold(`compare · previous ${w} → last ${w} (medians)`));
    const width = Math.max(...report.compare.services.map((s) => s.service.length));
    for (const service of report.compare.services) {
      const rows = [
        { label: 'edit-to-live', d: service.editToLive },
        ...service.steps.map((s) => ({ label: s.step, d: s })),
      ];
      rows.forEach(({ label, d }, i) => {
        const name = i === 0 ? service.service : '';
        lines.push(`  ${name.padEnd(width)}  ${label.padEnd(12)}  ${deltaText(d)}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeReportWindow(report: Report): string {
  const { window } = report;
  if (window.kind === 'last') return `last ${window.count} updates per service`;
  return `updates of the last ${describeWindow(window.to - window.from)}`;
}

function serviceLines(s: ServiceReport): string[] {
  const outcomes = Object.entries(s.outcomes)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const head = [`${pc.bold(s.service)} · ${s.updates} update${s.updates === 1 ? '' : 's'} (${outcomes})`];
  if (s.editToLive) {
    head.push(`edit-to-live ${ms(s.editToLive.medianMs)} median, ${ms(s.editToLive.p95Ms)} p95`);
  }
  if (s.trend.verdict !== 'unknown') {
    const text = s.trend.verdict === 'slower' ? pc.yellow(s.trend.text) : s.trend.text;
    head.push(text);
  }
  const lines = [head.join(' · ')];
  const width = Math.max(...s.steps.map((step) => step.step.length), 4);
  lines.push(
    pc.dim(`  ${'step'.padEnd(width)}  ${'n'.padStart(4)}  ${'median'.padStart(7)}  ${'p95'.padStart(7)}`),
  );
  for (const step of s.steps) {
    const extra: string[] = [];
    if (step.cached) extra.push(`${step.cached} cached`);
    if (step.skipped) extra.push(`${step.skipped} skipped`);
    if (step.failed) extra.push(`${step.failed} failed`);
    if (step.bytesMedian) extra.push(`${formatBytes(step.bytesMedian)} median`);
    const median = step.medianMs === undefined ? '—' : ms(step.medianMs);
    const p95 = step.p95Ms === undefined ? '—' : ms(step.p95Ms);
    lines.push(
      `  ${step.step.padEnd(width)}  ${String(step.count).padStart(4)}  ${median.padStart(7)}  ${p95.padStart(7)}  ${pc.dim(extra.join(', '))}`.trimEnd(),
    );
  }
  return lines;
}

function deltaText(d: Delta): string {
  const before = d.beforeMs === undefined ? '—' : ms(d.beforeMs);
  const after = d.afterMs === undefined ? '—' : ms(d.afterMs);
  let change = '';
  if (d.deltaMs !== undefined) {
    const sign = d.deltaMs > 0 ? '+' : d.deltaMs < 0 ? '−' : '±';
    change = `${sign}${ms(Math.abs(d.deltaMs))}${d.deltaPct === undefined ? '' : ` (${sign}${Math.abs(d.deltaPct)}%)`}`;
    if (d.deltaMs > 0 && (d.deltaPct ?? 0) >= 10) change = pc.yellow(change);
  }
  return `${before.padStart(7)} → ${after.padStart(7)}  ${change}`.trimEnd();
}

/** Milliseconds with one decimal below 10 ms, where steps such as `plan` live. */
function ms(value: number): string {
  if (value > 0 && value < 0.05) return '<0.1ms';
  return value < 10 ? `${round(value, 1)}ms` : formatMs(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
