// The last line of defence: a user mistake is printed as what/where/what-to-do with its exit
// code; anything else is a pitstop bug and says so, with the stack to report.
import pc from 'picocolors';
import { isPitstopError } from '../errors.js';
import { EXIT } from './exit-codes.js';

export function reportError(err: unknown, json: boolean): number {
  if (isPitstopError(err)) {
    if (json) {
      process.stderr.write(
        `${JSON.stringify({ type: 'fatal', message: err.message, where: err.where, hint: err.hint, logTail: err.logTail })}\n`,
      );
    } else {
      const lines = [`${pc.red('error:')} ${err.where ? `${err.where}: ` : ''}${err.message}`];
      for (const line of err.logTail ?? []) lines.push(`  ${pc.dim('│')} ${line}`);
      if (err.hint) lines.push(`  ${pc.cyan('hint:')} ${err.hint}`);
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    return err.exitCode;
  }
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${pc.red('internal error (a bug in pitstop, please report it):')}\n${stack}\n`);
  return EXIT.INTERNAL;
}
