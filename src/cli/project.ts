// Shared by the commands: find and load the project file, and pick the services to run.

import { findProjectFiles } from '../config/find.js';
import { loadProjectFiles } from '../config/load.js';
import { PitstopError } from '../errors.js';
import { withDependencies } from '../graph/graph.js';
import type { Project, RuntimeName, Service } from '../model/project.js';

export interface GlobalOptions {
  /** `-f`, repeatable: a pitstop.yaml, or Compose files merged in order (plus a pitstop.yaml). */
  file?: string[];
  /** `--profile`, repeatable: Compose profiles to turn on. */
  profile?: string[];
  json?: boolean;
  /** `--runtime`: run every service on this runtime. */
  runtime?: string;
  /** `--no-ui` sets it false. */
  ui?: boolean;
  uiPort?: string;
}

const RUNTIMES: readonly RuntimeName[] = ['local', 'docker'];

export async function openProject(options: GlobalOptions): Promise<Project> {
  const runtime = options.runtime;
  if (runtime !== undefined && !RUNTIMES.includes(runtime as RuntimeName)) {
    throw new PitstopError(`unknown runtime "${runtime}"`, {
      hint: `use one of: ${RUNTIMES.join(', ')}`,
      exitCode: 2,
    });
  }
  return loadProjectFiles(findProjectFiles(process.cwd(), options.file ?? []), {
    runtime: runtime as RuntimeName | undefined,
    profiles: options.profile,
  });
}

/** The named services and everything they depend on, in file order; all services when none named. */
export function selectServices(project: Project, names: string[]): Service[] {
  if (names.length === 0) return project.services;
  const selected = new Set(withDependencies(project.services, names));
  return project.services.filter((s) => selected.has(s.name));
}

export function requireService(project: Project, name: string): Service {
  const service = project.services.find((s) => s.name === name);
  if (!service) {
    throw new PitstopError(`no service named "${name}" in ${project.file}`, {
      hint: `services: ${project.services.map((s) => s.name).join(', ')}`,
      exitCode: 2,
    });
  }
  return service;
}
