// The human view of a session: service output with a prefix, one line per update with its
// step times, and (on a terminal) a status line of every service kept at the bottom.
import pc from 'picocolors';
import type { EventBus, PitstopEvent, ServiceState } from '../../events.js';
import { formatBytes, formatMs } from '../../util/format.js';
import { changedFilesText, formatSpans, updateTotalMs } from './steps.js';

const COLORS = [pc.cyan, pc.magenta, pc.yellow, pc.blue, pc.green, pc.red];
const STATE_MARK: Record<ServiceState, string> = {
  pending: pc.dim('○'),
  waiting: pc.dim('◌'),
  building: pc.yellow('◐'),
  starting: pc.yellow('◐'),
  updating: pc.yellow('◐'),
  ready: pc.green('●'),
  crashed: pc.red('●'),
  failed: pc.red('✗'),
  stopping: pc.dim('◌'),
  stopped: pc.dim('○'),
};

export interface TerminalViewOptions {
  out: NodeJS.WriteStream;
  root: string;
  services: string[];
  /** Keep a status line at the bottom (interactive terminals only). */
  statusLine: boolean;
}

export function attachTerminalView(events: EventBus, options: TerminalViewOptions): () => void {
  const width = Math.max(...options.services.map((s) => s.length), 6);
  const color = new Map(options.services.map((s, i) => [s, COLORS[i % COLORS.length] ?? pc.white]));
  const states = new Map<string, ServiceState>(options.services.map((s) => [s, 'pending']));
  const label = (service: string) => (color.get(service) ?? pc.white)(service.padEnd(width));
  let footerShown = false;

  const write = (line: string) => {
    const clear = footerShown ? '\r\x1b[2K' : '';
    const footer = options.statusLine ? footerText() : '';
    footerShown = footer !== '';
    options.out.write(`${clear}${line}\n${footer}`);
  };
  const busy = new Map<string, string>();
  const footerText = () => {
    const cols = options.out.columns ?? 120;
    const item = (s: string) => {
      const doing = busy.get(s);
      return `${STATE_MARK[states.get(s) ?? 'pending']} ${s}${doing ? pc.dim(` ${doing}`) : ''}`;
    };
    const full = options.services.map(item).join('  ');
    if (full.replace(ANSI, '').length < cols) return full;
    // Too many services for one line: counts per state, then what the busy ones are doing.
    const counts = new Map<ServiceState, number>();
    for (const s of options.services) {
      const state = states.get(s) ?? 'pending';
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    const summary = [...counts].map(([state, n]) => `${STATE_MARK[state]} ${n} ${state}`).join('  ');
    const doing = [...busy].map(([s, d]) => `${s} ${d}`).join(' · ');
    return truncateVisible(doing ? `${summary}  │ ${doing}` : summary, cols - 1);
  };
  const redrawFooter = () => {
    if (!options.statusLine) return;
    options.out.write(`\r\x1b[2K${footerText()}`);
    footerShown = true;
  };

  const onEvent = (event: PitstopEvent) => {
    switch (event.type) {
      case 'session-started':
        return write(pc.bold(`pitstop · ${event.project} · ${event.services.length} services`));
      case 'dashboard':
        return write(`${pc.bold('dashboard')} ${pc.cyan(event.url)}`);
      case 'log':
        return write(`${label(event.service)} ${pc.dim('│')} ${event.line}`);
      case 'service-state': {
        states.set(event.service, event.state);
        if (event.state === 'waiting' && event.detail)
          write(`${label(event.service)} ${pc.dim(`◌ ${event.detail}`)}`);
        else if (event.state === 'stopped' && event.detail)
          write(`${label(event.service)} ${pc.dim(`○ ${event.detail}`)}`);
        else if (event.state === 'failed' || event.state === 'crashed') {
          write(
            `${label(event.service)} ${pc.red(`${STATE_MARK[event.state]} ${event.detail ?? event.state}`)}`,
          );
        } else redrawFooter();
        return;
      }
      case 'progress': {
        const amount =
          event.bytes !== undefined && event.totalBytes
            ? ` ${formatBytes(event.bytes)}/${formatBytes(event.totalBytes)}`
            : '';
        busy.set(event.service, `${event.step} ${event.detail}${amount}`);
        return redrawFooter();
      }
      case 'update-finished': {
        const r = event.record;
        busy.delete(r.service);
        const files = changedFilesText(r, options.root);
        const what =
          r.kind === 'start' ? 'started' : r.kind === 'crash' ? 'restarted' : files ? `${files} →` : r.kind;
        const spans = pc.dim(formatSpans(r.spans));
        if (r.outcome === 'ok') {
          const verb = r.kind === 'start' || r.kind === 'crash' ? `${what} in` : `${what} live in`;
          return write(
            `${label(r.service)} ${pc.green('✓')} ${verb} ${pc.bold(formatMs(updateTotalMs(r)))}  ${spans}`,
          );
        }
        if (r.outcome === 'noop')
          return write(`${label(r.service)} ${pc.dim(`= ${files} unchanged, nothing to do`)}`);
        if (r.outcome === 'failed')
          return write(`${label(r.service)} ${pc.red(`✗ ${r.error?.step ?? 'update'} failed`)}  ${spans}`);
        return;
      }
      case 'error': {
        const lines = [`${event.service ? `${label(event.service)} ` : ''}${pc.red(event.message)}`];
        for (const line of event.logTail ?? [])
          lines.push(`${' '.repeat(width)} ${pc.red('│')} ${pc.dim(line)}`);
        return write(lines.join('\n'));
      }
      case 'warning':
        return write(`${event.service ? `${label(event.service)} ` : ''}${pc.yellow(`! ${event.message}`)}`);
      case 'all-ready':
        return write(
          pc.green(
            pc.bold(`✓ all ${options.services.length} services ready in ${formatMs(event.durationMs)}`),
          ),
        );
      case 'session-stopped':
        if (footerShown) options.out.write('\r\x1b[2K');
        footerShown = false;
        return;
      default:
        return;
    }
  };
  return events.on(onEvent);
}

const ANSI = /\x1b\[[0-9;]*m/g;

function truncateVisible(text: string, max: number): string {
  if (text.replace(ANSI, '').length <= max) return text;
  let visible = 0;
  let out = '';
  for (const part of text.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) out += part;
    else {
      const room = max - 1 - visible;
      if (room <= 0) break;
      out += part.slice(0, room);
      visible += Math.min(part.length, room);
    }
  }
  return `${out}…\x1b[0m`;
}
