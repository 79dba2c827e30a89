// The updates list (running first, then newest first) beside the waterfall of the chosen one.
// Until the reader picks one, the newest is shown, so a save's waterfall appears by itself.

import { html } from 'htm/preact';
import { clockTime, formatMs, serviceColor } from './format.js';
import type { Store, UpdateItem } from './store.js';
import { Waterfall } from './waterfall.js';

export function UpdatesView({ store }: { store: Store }) {
  const items = store.updateItems();
  const selected = store.selectedItem(items);
  const colors = new Map(store.services.map((s, i) => [s.name, serviceColor(i)]));
  return html`
    <section class="panel updates">
      <h2>
        Updates
        ${
          store.selectedUpdate &&
          html`<button class="link" onClick=${() => store.selectUpdate(null)}>follow newest</button>`
        }
      </h2>
      <div class="updates-body">
        <ol class="update-list">
          ${items.map(
            (item) =>
              html`<${UpdateEntry}
                key=${item.key}
                item=${item}
                color=${colors.get(item.record.service)}
                selected=${item.key === selected?.key}
                onSelect=${() => store.selectUpdate(item.key)}
              />`,
          )}
        </ol>
        <${Waterfall} record=${selected?.record} itemKey=${selected?.key} running=${selected?.running} />
      </div>
    </section>
  `;
}

function UpdateEntry(props: { item: UpdateItem; color?: string; selected: boolean; onSelect: () => void }) {
  const { record, running } = props.item;
  const total =
    record.editToLiveMs ??
    (record.finishedAt !== undefined ? record.finishedAt - record.startedAt : undefined);
  const outcome = running ? 'running' : (record.outcome ?? 'ok');
  const first = record.files[0];
  const files = first
    ? record.fileCount > 1
      ? `${basename(first)} +${record.fileCount - 1}`
      : basename(first)
    : '';
  return html`
    <li
      class=${`update-item${props.selected ? ' selected' : ''}`}
      data-key=${props.item.key}
      data-outcome=${outcome}
      onClick=${props.onSelect}
    >
      <span class="swatch" style=${{ background: props.color }}></span>
      <span class="u-time">${clockTime(record.startedAt)}</span>
      <span class="u-service">${record.service}</span>
      <span class="u-what">${files || record.kind}</span>
      <span class=${`u-total outcome-${outcome}`}>${running ? '…' : formatMs(total)}</span>
    </li>
  `;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
