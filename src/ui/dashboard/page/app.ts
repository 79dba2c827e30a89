// The page's layout: a header, then services, updates with their waterfall, the trend and the
// advice side by side, and the logs. It redraws at most once per frame, when the store changed.

import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AdviceView } from './advice-view.js';
import { LogView } from './log-view.js';
import { ServicesView } from './services-view.js';
import type { Connection, Store } from './store.js';
import { TrendChart } from './trend-chart.js';
import { UpdatesView } from './updates-view.js';

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  stopped: 'session stopped',
};

export function App({ store }: { store: Store }) {
  const [, redraw] = useState(0);
  useEffect(() => store.subscribe(() => redraw((n) => n + 1)), [store]);
  const ready = store.services.filter((s) => s.state === 'ready').length;
  // The same element object tells Preact to skip the subtree: it is rebuilt only when something
  // other than log lines changed (components in it still redraw on their own state).
  const panels = useMemo(
    () => html`
      <${ServicesView} store=${store} />
      <${UpdatesView} store=${store} />
      <div class="row">
        <${TrendChart} store=${store} />
        <${AdviceView} store=${store} />
      </div>
    `,
    [store, store.version],
  );
  return html`
    <header class="top">
      <h1>pitstop <span class="project">${store.project.name}</span></h1>
      <span class="summary">${ready}/${store.services.length} ready</span>
      <span class=${`connection ${store.connection}`} data-connection=${store.connection}>
        ${CONNECTION_TEXT[store.connection]}
      </span>
    </header>
    <main>
      ${panels}
      <${LogView} store=${store} />
    </main>
  `;
}
