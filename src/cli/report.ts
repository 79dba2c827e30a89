// `pitstop report`: where the time of each service's updates goes, read straight from the
// project's history database (no running session needed).
import { PitstopError } from '../errors.js';
import type { ReportWindow, ServiceRecords } from '../history/report.js';
import type { HistoryStore, UpdateQuery } from '../history/types.js';
import { EXIT } from './exit-codes.js';
import { openHistoryForCli } from './history-store.js';
import { type GlobalOptions, openProject } from './project.js';

export interface ReportOptions extends GlobalOptions {
  /** `--last <n>`: the last n updates of each service (default 50). */
  last?: string;
  /** `--since <window>`: updates started within this long before now, e.g. `1h`. */
  since?: string;
  /** `--compare <window>`: the last window against the one before it, e.g. `1d`. */
  compare?: string;
}

export const DEFAULT_LAST = 50;

export async function reportCommand(names: string[], options: ReportOptions): Promise<number> {
  const project = await openProject(options);
  const { buildReport } = await import('../history/report.js');
  const { parseWindow } = await import('../history/window.js');

  const chosen = [options.last, options.since, options.compare].filter((o) => o !== undefined);
  if (chosen.length > 1) {
    throw new PitstopError('--last, --since and --compare choose the window: use one of them', {
      exitCode: 2,
    });
  }
  const now = Date.now();
  let window: ReportWindow;
  let compareMs: number | undefined;
  if (options.compare !== undefined) {
    compareMs = parseWindow(options.compare, '--compare window');
    window = { kind: 'since', from: now - compareMs, to: now };
  } else if (options.since !== undefined) {
    window = { kind: 'since', from: now - parseWindow(options.since, '--since window'), to: now };
  } else {
    window = { kind: 'last', count: parseCount(options.last) };
  }

  const { store, warnings } = await openHistoryForCli(project);
  try {
    const services = pickServices(
      names,
      project.services.map((s) => s.name),
      store.services(),
      project.file,
    );
    const current = collect(
      store,
      services,
      window.kind === 'last' ? { limit: window.count } : { since: window.from },
    );
    const previous =
      compareMs === undefined
        ? undefined
        : collect(store, services, { since: now - 2 * compareMs, until: now - compareMs });
    const report = buildReport({ project: project.name, window, services: current, previous });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...report, history: store.location, warnings }, null, 2)}\n`);
    } else {
      const { formatReport } = await import('../history/report-format.js');
      process.stdout.write(formatReport(report));
    }
  } finally {
    store.close();
  }
  return EXIT.OK;
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LAST;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new PitstopError(`invalid --last "${text}"`, {
      hint: 'a whole number of updates, e.g. --last 20',
      exitCode: 2,
    });
  }
  return n;
}

/** The named services, or every service of the file and of the history (file order first). */
function pickServices(names: string[], inFile: string[], inHistory: string[], file: string): string[] {
  const known = [...inFile, ...inHistory.filter((s) => !inFile.includes(s))];
  for (const name of names) {
    if (!known.includes(name)) {
      throw new PitstopError(`no service named "${name}" in ${file} or its history`, {
        hint: `services: ${known.join(', ')}`,
        exitCode: 2,
      });
    }
  }
  return names.length ? names : known;
}

function collect(store: HistoryStore, services: string[], query: UpdateQuery): ServiceRecords[] {
  return services
    .map((service) => ({ service, records: store.updates({ ...query, service }) }))
    .filter((s) => s.records.length > 0);
}
