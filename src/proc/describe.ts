// How commands and exits are worded in errors and crash messages.
import { constants } from 'node:os';
import type { Command } from '../model/project.js';
import type { ExitInfo } from '../runtimes/runtime.js';

/** The command as the user would type it. */
export function describeCommand(cmd: Command): string {
  if ('shell' in cmd) return cmd.shell;
  return cmd.argv.map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

const signalNames = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num, name] as [number, string]),
);

/**
 * One phrase for how a process ended, e.g. "exited with code 1" or "killed by SIGSEGV". Shell
 * conventions are decoded because `{shell}` commands run under /bin/sh: 127 means the command
 * was not found, 126 that it could not be executed, 128+N that the command died of signal N.
 * `tail` is the process's last output; when there is some, the message points the user to it.
 */
export function describeExit(info: ExitInfo, tail: readonly string[] = []): string {
  if (info.signal) return `killed by ${info.signal}`;
  if (info.code === null) return 'exited';
  const base = `exited with code ${info.code}`;
  const seeOutput = tail.length > 0 ? ' (see the output above)' : '';
  if (info.code === 127) return `${base}: command not found${seeOutput}`;
  if (info.code === 126) return `${base}: command not executable${seeOutput}`;
  const signal = info.code > 128 ? signalNames.get(info.code - 128) : undefined;
  if (signal) return `${base} (the command was killed by ${signal})`;
  return base;
}
