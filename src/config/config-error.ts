// The one error loadProject throws for a bad project file: every issue found, rendered like a
// compiler would, so the CLI can print `message` as it is.
import { PitstopError } from '../errors.js';
import { renderIssues } from './render.js';

export interface ConfigIssue {
  /** Absolute path of the file the issue is in. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Key path like `services.api.run.cmd` (list items as `watch[1]`); empty for the whole file. */
  path: string;
  message: string;
  hint?: string;
}

export class ConfigError extends PitstopError {
  readonly issues: ConfigIssue[];

  /** `source` is the text of the file, for the code frames. */
  constructor(issues: ConfigIssue[], source?: string) {
    super(renderIssues(issues, source), { exitCode: 3 });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
