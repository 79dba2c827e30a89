// Where one update's time went: a bar per step on a shared time axis (left = when it started,
// width = how long it took), finer steps (image build stages) nested under their parent.

import { html } from 'htm/preact';
import type { UpdateRecord } from '../api.js';
import { formatBytes, formatMs } from './format.js';

type Span = UpdateRecord['spans'][number];

interface Row {
  span: Span;
  depth: number;
}

function flatten(spans: Span[], depth = 0, rows: Row[] = []): Row[] {
  for (const span of spans) {
    rows.push({ span, depth });
    if (span.children?.length) flatten(span.children, depth + 1, rows);
  }
  return rows;
}

export function Waterfall({
  record,
  itemKey,
  running,
}: {
  record?: UpdateRecord;
  itemKey?: string;
  running?: boolean;
}) {
  if (!record)
    return html`<div class="waterfall empty">No updates yet: save a file, or trigger a service.</div>`;
  const rows = flatten(record.spans);
  const t0 = Math.min(record.startedAt, ...rows.map((r) => r.span.startedAt));
  const end = Math.max(record.finishedAt ?? 0, ...rows.map((r) => r.span.startedAt + r.span.durationMs));
  const total = Math.max(end - t0, 0.001);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / total) * 100)).toFixed(3)}%`;
  const files = record.files.length
    ? record.files.join(', ') + (record.fileCount > record.files.length ? ' …' : '')
    : '';

  return html`
    <div class="waterfall" data-testid="waterfall" data-key=${itemKey} data-service=${record.service} data-id=${record.id}>
      <div class="wf-head">
        <strong>${record.service}</strong>
        <span class="tag">${record.kind}</span>
        <span class=${`tag outcome-${running ? 'running' : (record.outcome ?? 'ok')}`}>${running ? 'running' : record.outcome}</span>
        <span class="wf-total" title="from the first file change to the new version being ready">
          ${record.editToLiveMs !== undefined ? `edit-to-live ${formatMs(record.editToLiveMs)}` : `total ${formatMs(total)}`}
        </span>
        ${files && html`<span class="wf-files" title=${files}>${files}</span>`}
      </div>
      ${record.plan && html`<div class="wf-plan">plan: ${record.plan.reason}</div>`}
      <div class="wf-axis">
        <span></span>
        <div class="wf-ticks">
          ${[0, 0.25, 0.5, 0.75, 1].map(
            (f) => html`<span class="wf-tick" style=${{ left: `${f * 100}%` }}>${formatMs(f * total)}</span>`,
          )}
        </div>
        <span></span>
      </div>
      ${rows.map(({ span, depth }) => {
        const label = span.detail ? `${span.name} · ${span.detail}` : span.name;
        const tip = `${label}: ${formatMs(span.durationMs)} (${span.outcome})${span.bytes ? `, ${formatBytes(span.bytes)}` : ''}`;
        return html`
          <div class="wf-row" data-step=${span.name} data-depth=${depth} title=${tip}>
            <span class="wf-label" style=${{ paddingLeft: `${depth * 14}px` }}>${label}</span>
            <div class="wf-track">
              <div
                class=${`wf-bar step-${span.name} outcome-${span.outcome}${depth ? ' child' : ''}`}
                style=${{ left: pct(span.startedAt - t0), width: pct(span.durationMs) }}
              ></div>
            </div>
            <span class="wf-dur">
              ${span.outcome === 'cached' || span.outcome === 'skipped' ? span.outcome : formatMs(span.durationMs)}
              ${span.bytes ? html` <small>${formatBytes(span.bytes)}</small>` : ''}
            </span>
          </div>
        `;
      })}
      ${
        record.error &&
        html`<div class="wf-error">
          <strong>${record.error.step} failed:</strong> ${record.error.message}
          ${record.error.logTail?.length ? html`<pre>${record.error.logTail.join('\n')}</pre>` : ''}
        </div>`
      }
    </div>
  `;
}
