// The page's line to the server: one EventSource for everything that happens (it reconnects by
// itself, and each connection starts with a fresh snapshot), and the few requests it makes.
import type { HistoryResponse, PitstopEvent, StreamSnapshot, Suggestion, TriggerResponse } from '../api.js';
import type { Store } from './store.js';

// The same header the server checks (guards.ts); the page cannot import server modules.
const TOKEN_HEADER = 'x-pitstop-token';

/** The per-server secret the server put in the page; other sites can neither read nor guess it. */
function pageToken(): string {
  return document.querySelector('meta[name="pitstop-token"]')?.getAttribute('content') ?? '';
}

export function connect(store: Store): () => void {
  const source = new EventSource('/api/events');
  source.addEventListener('snapshot', (e) => {
    store.applySnapshot(JSON.parse((e as MessageEvent<string>).data) as StreamSnapshot);
    void loadHistory(store);
  });
  source.addEventListener('advice', (e) => {
    store.setAdvice(JSON.parse((e as MessageEvent<string>).data) as Suggestion[]);
  });
  source.onmessage = (e: MessageEvent<string>) => {
    const event = JSON.parse(e.data) as PitstopEvent;
    store.apply(event);
    // The session is over and its server about to go: don't knock on a closed door every second.
    if (event.type === 'session-stopped') source.close();
  };
  source.onerror = () => {
    store.setConnection(source.readyState === EventSource.CLOSED ? 'stopped' : 'reconnecting');
  };
  return () => source.close();
}

async function loadHistory(store: Store): Promise<void> {
  try {
    const res = await fetch('/api/history?limit=1000');
    if (res.ok) store.addHistory(((await res.json()) as HistoryResponse).points);
  } catch {
    // The chart then shows this session's updates only.
  }
}

/** Asks for a rebuild and restart; resolves when the update has finished (or failed). */
export async function triggerService(service: string): Promise<TriggerResponse> {
  try {
    const res = await fetch(`/api/trigger/${encodeURIComponent(service)}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: pageToken() },
    });
    return (await res.json()) as TriggerResponse;
  } catch (err) {
    return { error: `the dashboard did not answer: ${(err as Error).message}` };
  }
}
