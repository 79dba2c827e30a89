// Issues printed like compiler diagnostics: `file:line:col: path: message`, the offending line
// with a caret under the column, then the hint. Plain text; the CLI may colour it.
import path from 'node:path';
import type { ConfigIssue } from './config-error.js';

/** `file` relative to the working directory when it is inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function renderIssue(issue: ConfigIssue, lines?: readonly string[]): string {
  const head = `${displayPath(issue.file)}:${issue.line}:${issue.col}: `;
  const out = [head + (issue.path ? `${issue.path}: ${issue.message}` : issue.message)];
  const text = lines?.[issue.line - 1];
  if (text !== undefined) {
    const gutter = Math.max(4, String(issue.line).length + 1);
    // Tabs would shift the caret, so show each as one space: the column counts characters.
    const shown = text.replace(/\t/g, ' ').replace(/\r$/, '');
    out.push(`${String(issue.line).padStart(gutter)} | ${shown}`.trimEnd());
    out.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, issue.col - 1))}^`);
  }
  if (issue.hint) out.push(`  hint: ${issue.hint}`);
  return out.join('\n');
}

/** All issues, in the order given, separated by blank lines; `source` is the file's text. */
export function renderIssues(issues: readonly ConfigIssue[], source?: string): string {
  const lines = source?.split('\n');
  const body = issues.map((issue) => renderIssue(issue, lines)).join('\n\n');
  if (issues.length <= 1) return body;
  const files = new Set(issues.map((issue) => displayPath(issue.file)));
  return `${body}\n\n${issues.length} problems in ${[...files].join(', ')}`;
}
