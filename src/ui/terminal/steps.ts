// One-line summaries of updates: which steps ran and how long each took.
import type { Span, UpdateRecord } from '../../model/update.js';
import { formatBytes, formatMs } from '../../util/format.js';

export function formatSpan(span: Span): string {
  const label = span.name === 'build' && span.detail ? `build ${span.detail.split(':')[0]}` : span.name;
  if (span.outcome === 'cached') return `${label} cached`;
  const saved = span.bytesSaved ? ` (${formatBytes(span.bytesSaved)} saved)` : '';
  const bytes = span.bytes ? ` ${formatBytes(span.bytes)}${saved}` : '';
  return `${label} ${formatMs(span.durationMs)}${bytes}${span.outcome === 'failed' ? ' ✗' : ''}`;
}

export function formatSpans(spans: Span[]): string {
  return spans.map(formatSpan).join(' · ');
}

/** Total time of the update as the user felt it: from the first change seen, or from its start. */
export function updateTotalMs(record: UpdateRecord): number {
  if (record.editToLiveMs !== undefined) return record.editToLiveMs;
  const first = record.spans[0]?.startedAt ?? record.startedAt;
  return (record.finishedAt ?? first) - first;
}

export function changedFilesText(record: UpdateRecord, root: string): string {
  if (record.fileCount === 0) return '';
  const first = record.files[0] ?? '';
  const name = first.startsWith(root) ? first.slice(root.length + 1) : first;
  return record.fileCount === 1 ? name : `${name} +${record.fileCount - 1}`;
}
