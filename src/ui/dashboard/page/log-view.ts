// Live logs, windowed: however many lines the buffer holds, only the rows in sight (plus a few)
// are in the DOM, each absolutely placed in a spacer as tall as all of them. While the view is
// scrolled to the bottom it follows new lines; scrolled up, it stays where the reader is.

import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { clockTime, serviceColor } from './format.js';
import type { LogEntry } from './log-buffer.js';
import type { Store } from './store.js';

const ROW_PX = 18;
const OVERSCAN = 8;

export function LogView({ store }: { store: Store }) {
  const logs = store.logs;
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const count = logs.viewLength;

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const top = follow.current ? Math.max(0, count * ROW_PX - height) : scrollTop;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && follow.current && el.scrollTop !== top) el.scrollTop = top;
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_PX;
    setScrollTop(el.scrollTop);
  };

  const first = Math.max(0, Math.floor(top / ROW_PX) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / ROW_PX) + OVERSCAN);
  const colors = new Map(store.services.map((s, i) => [s.name, serviceColor(i)]));
  const rows = [];
  for (let i = first; i < last; i++) {
    const entry = logs.viewAt(i);
    if (entry)
      rows.push(
        html`<${LogRow} key=${entry.seq} entry=${entry} index=${i} color=${colors.get(entry.service)} />`,
      );
  }

  return html`
    <section class="panel logs">
      <h2>Logs</h2>
      <div class="log-toolbar">
        <select
          aria-label="service"
          value=${store.selectedService ?? ''}
          onChange=${(e: Event) => store.selectService((e.target as HTMLSelectElement).value || null)}
        >
          <option value="">all services</option>
          ${store.services.map((s) => html`<option value=${s.name}>${s.name}</option>`)}
        </select>
        <input
          type="search"
          class="log-search"
          placeholder="search"
          aria-label="search logs"
          value=${logs.filter.query}
          onInput=${(e: Event) => store.setLogQuery((e.target as HTMLInputElement).value)}
        />
        <span class="log-count" data-count=${count} data-total=${logs.size}>
          ${count === logs.size ? `${count} lines` : `${count} of ${logs.size} lines`}
        </span>
        <button
          class="link"
          title="jump to the newest line"
          onClick=${() => {
            follow.current = true;
            store.changed(true);
          }}
        >
          ↓ follow
        </button>
      </div>
      <div class="log-scroll" ref=${scroller} onScroll=${onScroll}>
        <div class="log-spacer" style=${{ height: `${count * ROW_PX}px` }}>${rows}</div>
      </div>
    </section>
  `;
}

function LogRow({ entry, index, color }: { entry: LogEntry; index: number; color?: string }) {
  return html`
    <div class=${`log-row ${entry.stream}`} style=${{ top: `${index * ROW_PX}px` }}>
      <span class="log-time">${clockTime(entry.at, true)}</span>
      <span class="log-service" style=${{ color }}>${entry.service}</span>
      <span class="log-line">${entry.line}</span>
    </div>
  `;
}
