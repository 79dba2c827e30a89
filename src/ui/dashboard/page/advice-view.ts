// The advisor's suggestions: what to change, what it should save per update, and the
// measurements it rests on.

import { html } from 'htm/preact';
import { formatMs } from './format.js';
import type { Store } from './store.js';

export function AdviceView({ store }: { store: Store }) {
  const advice = store.advice.filter(
    (a) => store.selectedService === null || a.service === store.selectedService,
  );
  return html`
    <section class="panel advice">
      <h2>Advice</h2>
      ${advice.length === 0 && html`<p class="empty">Nothing to suggest yet.</p>`}
      ${advice.map(
        (a) => html`
          <article class="suggestion" data-rule=${a.rule} key=${`${a.rule}:${a.service}`}>
            <header>
              <strong>${a.title}</strong>
              <span class="tag">${a.service}</span>
              ${a.savingMs !== undefined && html`<span class="saving">saves ~${formatMs(a.savingMs)} per update</span>`}
            </header>
            <pre class="suggestion-detail">${a.detail}</pre>
            ${a.evidence.length > 0 && html`<ul class="evidence">${a.evidence.map((e) => html`<li>${e}</li>`)}</ul>`}
          </article>
        `,
      )}
    </section>
  `;
}
