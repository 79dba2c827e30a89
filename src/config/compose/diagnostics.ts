// Errors and warnings of a Compose project, which spans several files (Compose files, `.env`,
// env_file, pitstop.yaml): each issue is kept with its own file so the message shows the right
// line under the caret, and each warning is said once.
import { ConfigError, type ConfigIssue } from '../config-error.js';
import { formatPath, type IssueOptions } from '../issues.js';
import { displayPath, renderIssue } from '../render.js';
import type { KeyPath, YamlSource } from '../yaml-source.js';
import type { Origin } from './located.js';

/** A ConfigError whose issues come from several files, each rendered with its own code frame. */
export class ComposeConfigError extends ConfigError {
  constructor(issues: ConfigIssue[], texts: ReadonlyMap<string, string>) {
    super(issues);
    const lines = new Map([...texts].map(([file, text]) => [file, text.split('\n')]));
    const body = issues.map((issue) => renderIssue(issue, lines.get(issue.file))).join('\n\n');
    const files = [...new Set(issues.map((issue) => displayPath(issue.file)))];
    this.message = issues.length <= 1 ? body : `${body}\n\n${issues.length} problems in ${files.join(', ')}`;
  }
}

export class Diagnostics {
  readonly #issues: ConfigIssue[] = [];
  readonly #texts = new Map<string, string>();
  /** Files in the order they were first read, so issues are listed file by file. */
  readonly #order: string[] = [];
  readonly #warnings: string[] = [];
  readonly #said = new Set<string>();

  /** Registers a file's text, for code frames. */
  addFile(file: string, text: string): void {
    if (this.#texts.has(file)) return;
    this.#texts.set(file, text);
    this.#order.push(file);
  }

  /** An issue at a place in a YAML file; `at: 'key'` points at the key rather than its value. */
  error(origin: Origin, message: string, options: IssueOptions = {}): void {
    const { source, path } = origin;
    this.addFile(source.file, source.text);
    const pos = source.position(path, options.at ?? 'value');
    this.push(
      { file: source.file, line: pos.line, col: pos.col, path: formatPath(path), message },
      options.hint,
    );
  }

  /** An issue at a line and column of any file (`.env` files are not YAML). */
  errorAt(file: string, text: string, line: number, col: number, message: string, hint?: string): void {
    this.addFile(file, text);
    this.push({ file, line, col, path: '', message }, hint);
  }

  /** Issues found by the pitstop.yaml loader, which already carry their positions. */
  addIssues(issues: readonly ConfigIssue[], source: YamlSource): void {
    this.addFile(source.file, source.text);
    for (const issue of issues) this.#issues.push(issue);
  }

  private push(issue: ConfigIssue, hint: string | undefined): void {
    if (hint !== undefined) issue.hint = hint;
    this.#issues.push(issue);
  }

  /**
   * A warning, said once: `file:line:col: services.db.deploy: message`. `path` is the key in the
   * merged project (the service being loaded), `origin` where it was written.
   */
  warn(origin: Origin | undefined, path: KeyPath, message: string): void {
    const where = origin ? `${this.position(origin)}: ` : '';
    const key = formatPath(path);
    const text = `${where}${key ? `${key}: ` : ''}${message}`;
    const once = `${key}\u0000${message}`;
    if (this.#said.has(once)) return;
    this.#said.add(once);
    this.#warnings.push(text);
  }

  private position(origin: Origin): string {
    const pos = origin.source.position(origin.path, 'key');
    return `${displayPath(origin.source.file)}:${pos.line}:${pos.col}`;
  }

  get warnings(): string[] {
    return [...this.#warnings];
  }

  get errorCount(): number {
    return this.#issues.length;
  }

  /** Throws every issue found so far as one ComposeConfigError, file by file, by position. */
  throwIfAny(): void {
    if (this.#issues.length === 0) return;
    const rank = (file: string) => {
      const i = this.#order.indexOf(file);
      return i < 0 ? this.#order.length : i;
    };
    const sorted = [...this.#issues].sort(
      (a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.col - b.col,
    );
    throw new ComposeConfigError(sorted, this.#texts);
  }
}
