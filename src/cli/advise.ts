// `pitstop advise`: the talk's advice for this project, from its recorded updates (read from
// the history database; no running session needed). Each suggestion shows the numbers behind it.
import pc from 'picocolors';
import type { Suggestion } from '../history/types.js';
import { formatMs } from '../util/format.js';
import { EXIT } from './exit-codes.js';
import { openHistoryForCli } from './history-store.js';
import { type GlobalOptions, openProject } from './project.js';

/** Updates per service the advisor looks at: recent behaviour, under the current configuration. */
export const ADVISE_LAST = 200;

export async function adviseCommand(options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  const { advise, DEFAULT_MIN_UPDATES } = await import('../history/advisor.js');
  const { dockerfileFacts } = await import('../history/advisor-facts.js');

  const { store, warnings } = await openHistoryForCli(project);
  let suggestions: Suggestion[];
  let updates: number;
  try {
    const records = project.services.flatMap((s) => store.updates({ service: s.name, limit: ADVISE_LAST }));
    updates = records.length;
    suggestions = advise(project, records, { dockerfileAdvice: dockerfileFacts(project) });
  } finally {
    store.close();
  }

  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ project: project.name, updates, suggestions, warnings }, null, 2)}\n`,
    );
    return EXIT.OK;
  }
  const lines: string[] = [];
  if (suggestions.length === 0) {
    lines.push(
      updates < DEFAULT_MIN_UPDATES
        ? `${project.name}: ${updates} update${updates === 1 ? '' : 's'} recorded — advice needs at least ${DEFAULT_MIN_UPDATES} measured updates; run \`pitstop up\` and edit for a while`
        : `${project.name}: no suggestions — nothing in the last ${updates} updates calls for a change`,
    );
  } else {
    lines.push(
      pc.bold(
        `${project.name} · ${suggestions.length} suggestion${suggestions.length === 1 ? '' : 's'} from ${updates} recorded updates`,
      ),
    );
    suggestions.forEach((s, i) => {
      const saving =
        s.savingMs === undefined ? '' : ` · ${pc.green(`saves ~${formatMs(s.savingMs)} per update`)}`;
      lines.push('', `${i + 1}. ${pc.bold(s.service)} · ${s.title}${saving}`);
      for (const line of s.detail.split('\n')) lines.push(`   ${line}`);
      lines.push(`   ${pc.dim('because:')}`);
      for (const e of s.evidence) lines.push(`   ${pc.dim(`· ${e}`)}`);
    });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.OK;
}
