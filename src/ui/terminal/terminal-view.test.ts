import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../events.js';
import { attachTerminalView } from './terminal-view.js';

const plain = (s: string) => stripVTControlCharacters(s).replace(/\r/g, '');

function view(services: string[], columns: number) {
  const written: string[] = [];
  const out = { columns, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const events = new EventBus(() => 0);
  attachTerminalView(events, { out, root: '/p', services, statusLine: true });
  return { events, last: () => plain(written.at(-1) ?? '') };
}

describe('terminal status line', () => {
  it('shows each service and what a busy one is doing, with transfer bytes', () => {
    const { events, last } = view(['api', 'web'], 120);
    events.emit({ type: 'service-state', service: 'api', state: 'ready' });
    events.emit({
      type: 'progress',
      service: 'web',
      step: 'sync',
      detail: 'sending',
      bytes: 2048,
      totalBytes: 8192,
    });
    expect(last()).toContain('api');
    expect(last()).toContain('web sync sending 2.0 KB/8.0 KB');
    events.emit({ type: 'progress', service: 'web', step: 'image', detail: '[2/4] RUN npm ci' });
    expect(last()).toContain('web image [2/4] RUN npm ci');
  });

  it('turns into counts per state when the services do not fit on one line', () => {
    const services = Array.from({ length: 50 }, (_, i) => `service-${i}`);
    const { events, last } = view(services, 80);
    for (const s of services.slice(0, 48)) events.emit({ type: 'service-state', service: s, state: 'ready' });
    events.emit({ type: 'service-state', service: 'service-48', state: 'failed', detail: 'boom' });
    events.emit({ type: 'progress', service: 'service-49', step: 'image', detail: '[1/2] FROM x' });
    const line = last();
    expect(line).toContain('48 ready');
    expect(line).toContain('1 failed');
    expect(line).toContain('service-49 image');
    expect(line.length).toBeLessThan(80);
  });
});
