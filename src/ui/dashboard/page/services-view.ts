// One row per service: its state (coloured), what it is doing, where it answers, how long its
// last update took, and a button to rebuild and restart it now.

import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ServiceView } from '../api.js';
import { triggerService } from './connection.js';
import { clockTime, formatMs, isWebLink, serviceColor, stateTone } from './format.js';
import type { Store } from './store.js';

export function ServicesView({ store }: { store: Store }) {
  return html`
    <section class="panel services">
      <h2>Services</h2>
      <div class="table-box">
      <table class="services-table">
        <thead>
          <tr><th>service</th><th>state</th><th>detail</th><th>endpoints</th><th>last update</th><th></th></tr>
        </thead>
        <tbody>
          ${store.services.map(
            (service, index) =>
              html`<${ServiceRow} key=${service.name} store=${store} service=${service} index=${index} />`,
          )}
        </tbody>
      </table>
      </div>
    </section>
  `;
}

function ServiceRow({ store, service, index }: { store: Store; service: ServiceView; index: number }) {
  const selected = store.selectedService === service.name;
  const last = service.lastUpdate;
  const detail = store.progress.get(service.name) ?? service.detail ?? '';
  const total = last
    ? (last.editToLiveMs ?? (last.finishedAt ?? last.startedAt) - last.startedAt)
    : undefined;
  return html`
    <tr class=${selected ? 'selected' : ''} data-service=${service.name} data-state=${service.state}>
      <td>
        <button
          class="link service-name"
          title=${selected ? 'show all services' : `show only ${service.name}`}
          onClick=${() => store.selectService(selected ? null : service.name)}
        >
          <span class="swatch" style=${{ background: serviceColor(index) }}></span>${service.name}
        </button>
      </td>
      <td><span class=${`state tone-${stateTone(service.state)}`}>${service.state}</span></td>
      <td class="detail" title=${detail}>${detail}</td>
      <td class="endpoints">
        ${service.endpoints.map((url) =>
          isWebLink(url)
            ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${url.replace(/^https?:\/\//, '')}</a>`
            : html`<span>${url}</span>`,
        )}
      </td>
      <td class="last-update">
        ${
          last
            ? html`<span class=${`outcome-${last.outcome ?? 'ok'}`} title=${`${last.kind} at ${clockTime(last.startedAt)}`}
                >${formatMs(total)}</span
              >`
            : '–'
        }
      </td>
      <td><${TriggerButton} service=${service.name} /></td>
    </tr>
  `;
}

function TriggerButton({ service }: { service: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const onClick = async () => {
    setBusy(true);
    setError('');
    const result = await triggerService(service);
    setBusy(false);
    if ('error' in result) setError(result.hint ? `${result.error} (${result.hint})` : result.error);
  };
  return html`
    <button
      class=${`trigger${error ? ' failed' : ''}`}
      data-trigger=${service}
      disabled=${busy}
      title=${error || `rebuild and restart ${service} now`}
      onClick=${onClick}
    >
      ${busy ? 'running…' : 'trigger'}
    </button>
  `;
}
