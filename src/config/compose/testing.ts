// Test helpers for the Compose loader: real projects in temp folders, loaded the way the CLI
// loads them (findProjectFiles, then the Compose loader) with an environment of the test's own.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Project, Service } from '../../model/project.js';
import { ConfigError } from '../config-error.js';
import { findProjectFiles } from '../find.js';
import { loadProject } from '../load.js';
import { type ComposeOptions, loadCompose } from './load-compose.js';

export const DOCKERFILE = 'FROM busybox:1.36\nCMD ["sleep", "3600"]\n';

const made: string[] = [];

/** A temp folder with the given files (relative path → text); a path ending in "/" is a folder. */
export async function project(files: Record<string, string>): Promise<string> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'pitstop-compose-')));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    if (rel.endsWith('/')) {
      await mkdir(file, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return root;
}

export async function removeProjects(): Promise<void> {
  for (const root of made.splice(0)) await rm(root, { recursive: true, force: true });
}

export interface LoadArgs extends ComposeOptions {
  /** -f arguments, relative to the project folder. */
  files?: string[];
  /** Folder the command runs in (default: the project folder). */
  cwd?: string;
}

/** Loads like the CLI: the files findProjectFiles picks, with `env` (default: empty) as the environment. */
export async function load(root: string, args: LoadArgs = {}): Promise<Project> {
  const found = findProjectFiles(args.cwd ?? root, args.files ?? []);
  if (found.kind === 'pitstop') return loadProject(found.file, args);
  return loadCompose(found.compose, { env: {}, ...args, pitstopFile: found.pitstop });
}

export interface Found {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  hint?: string;
}

/** The issues of a load that must fail (file names relative to the project folder). */
export async function issues(root: string, args: LoadArgs = {}): Promise<Found[]> {
  const err = await load(root, args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return err.issues.map(({ file, hint, ...rest }) => ({
    file: path.relative(root, file),
    ...rest,
    ...(hint === undefined ? {} : { hint }),
  }));
}

export function service(p: Project, name: string): Service {
  const found = p.services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name} in ${p.services.map((s) => s.name).join(', ')}`);
  return found;
}

/** Warnings without their `file:line:col: ` prefix. */
export const warningTexts = (p: Project) => p.warnings.map((w) => w.replace(/^[^:]+:\d+:\d+: /, ''));
