// Collects issues as they are found, turning key paths into file positions, so that every
// check can report and carry on instead of stopping at the first problem.
import type { ConfigIssue } from './config-error.js';
import type { KeyPath, YamlSource } from './yaml-source.js';

/** `services.api.watch[1]` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

export interface IssueOptions {
  hint?: string;
  /** Point at the key (for unknown or misplaced keys) rather than at the value. */
  at?: 'key' | 'value';
}

export class IssueList {
  readonly items: ConfigIssue[] = [];

  constructor(private readonly source: YamlSource) {}

  add(path: KeyPath, message: string, options: IssueOptions = {}): void {
    const pos = this.source.position(path, options.at ?? 'value');
    const issue: ConfigIssue = {
      file: this.source.file,
      line: pos.line,
      col: pos.col,
      path: formatPath(path),
      message,
    };
    if (options.hint !== undefined) issue.hint = options.hint;
    this.items.push(issue);
  }

  get length(): number {
    return this.items.length;
  }

  /** By position, keeping the order found for issues on the same spot. */
  sorted(): ConfigIssue[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.col - b.col);
  }
}
