// Edit-to-live over time, one line per service (or the selected one), from the history store
// and every live update since. uPlot draws to a canvas: thousands of points stay cheap.

import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { HistoryPoint } from '../api.js';
import { formatMs, serviceColor } from './format.js';
import type { Store } from './store.js';

const HEIGHT = 200;

/** uPlot wants one shared x array and a y array per series (null where a series has no point). */
function alignedData(points: HistoryPoint[], names: string[]): uPlot.AlignedData {
  const xs: number[] = [];
  const ys = names.map(() => [] as (number | null)[]);
  const column = new Map(names.map((n, i) => [n, i]));
  for (const p of points) {
    const x = p.at / 1000;
    if (xs[xs.length - 1] !== x) {
      xs.push(x);
      for (const y of ys) y.push(null);
    }
    const y = ys[column.get(p.service) ?? -1];
    if (y) y[y.length - 1] = p.editToLiveMs;
  }
  return [xs, ...ys];
}

function options(names: string[], colors: Map<string, string>, width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    legend: { live: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatMs(t)), size: 56 }],
    series: [
      {},
      ...names.map((name) => ({
        label: name,
        stroke: colors.get(name) ?? '#555',
        width: 1.5,
        spanGaps: true,
        points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatMs(v)),
      })),
    ],
  };
}

export function TrendChart({ store }: { store: Store }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<{ chart: uPlot; key: string } | null>(null);
  const points = store.trendPoints();
  const names = store.services.map((s) => s.name).filter((n) => points.some((p) => p.service === n));

  // Redrawn only when the points or the selection changed, not on every log line.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const key = names.join('\n');
    if (names.length === 0) {
      plot.current?.chart.destroy();
      plot.current = null;
      return;
    }
    const data = alignedData(points, names);
    if (plot.current?.key === key) {
      plot.current.chart.setData(data);
      return;
    }
    plot.current?.chart.destroy();
    const colors = new Map(store.services.map((s, i) => [s.name, serviceColor(i)]));
    plot.current = { chart: new uPlot(options(names, colors, el.clientWidth || 600), data, el), key };
  }, [store.trendVersion, store.selectedService, names.join('\n')]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() =>
      plot.current?.chart.setSize({ width: el.clientWidth, height: HEIGHT }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.chart.destroy();
      plot.current = null;
    };
  }, []);

  return html`
    <section class="panel trend">
      <h2>Edit-to-live${store.selectedService ? ` · ${store.selectedService}` : ''}</h2>
      ${names.length === 0 && html`<p class="empty">No measurements yet: edit-to-live is timed from a saved file.</p>`}
      <div class="trend-chart" data-testid="trend" data-points=${points.length} ref=${box}></div>
    </section>
  `;
}
