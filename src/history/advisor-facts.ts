// The facts the advisor needs from outside the history: what each service's Dockerfile says.
// Reads files, so it lives apart from the pure advisor; the CLI and the dashboard share it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../model/project.js';
import { adviseDockerfile } from '../runtimes/docker/dockerfile-advice.js';
import type { DockerfileFinding } from './types.js';

/** Per docker service built from a Dockerfile: its whole-context-before-install findings. */
export function dockerfileFacts(project: Project): Record<string, DockerfileFinding[]> {
  const out: Record<string, DockerfileFinding[]> = {};
  for (const service of project.services) {
    const build = service.docker.build;
    if (service.runtime !== 'docker' || !build) continue;
    let text: string;
    try {
      text = readFileSync(build.dockerfile, 'utf8');
    } catch {
      continue;
    }
    const findings = adviseDockerfile(text, (file) => existsSync(path.join(build.context, file)));
    if (findings.length) {
      out[service.name] = findings.map(({ message, suggestion, tool }) => ({ message, suggestion, tool }));
    }
  }
  return out;
}
