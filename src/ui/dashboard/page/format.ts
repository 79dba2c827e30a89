// Small display helpers for the page (the page is self-contained: no server modules load here).

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(ms < 10_000 ? 2 : 1))}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1_000)}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Wall-clock time of an epoch-ms instant, with milliseconds (log lines are that close). */
export function clockTime(at: number, millis = false): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return millis ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** The colour class of a service state (the same grouping as the terminal's marks). */
export function stateTone(state: string): 'ok' | 'busy' | 'bad' | 'idle' {
  if (state === 'ready') return 'ok';
  if (state === 'building' || state === 'starting' || state === 'updating') return 'busy';
  if (state === 'crashed' || state === 'failed') return 'bad';
  return 'idle';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

/** A stable colour per service, by its position in the project. */
export function serviceColor(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#555';
}

// Colour codes in service output are noise in a browser; the text stays.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** Only web links become anchors: an endpoint is config text, not trusted markup. */
export function isWebLink(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
