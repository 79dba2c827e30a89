// `--json`: every event as one JSON object per line on stdout, nothing else on stdout.
import type { EventBus } from '../events.js';

export function attachJsonView(events: EventBus, out: NodeJS.WritableStream): () => void {
  return events.on((event) => {
    out.write(`${JSON.stringify(event)}\n`);
  });
}
