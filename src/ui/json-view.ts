// `--json`: every event as one JSON object per line on stdout, nothing else on stdout.
import type { EventBus } from '../events.js';

export function attachJsonView(events: EventBus, out: NodeJS.WritableStream): () => void {
  // Whoever reads our output may go away (a closed pipe): stop writing, keep running, and let
  // the session still stop cleanly instead of crashing on the next write.
  let open = true;
  out.on('error', () => {
    open = false;
  });
  return events.on((event) => {
    if (open) out.write(`${JSON.stringify(event)}\n`);
  });
}
