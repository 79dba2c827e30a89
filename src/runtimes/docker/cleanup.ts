// `pitstop down` for the docker runtime: remove the project's containers and network (and its
// volumes when asked), found by pitstop's labels — nothing pitstop did not create.
import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../../model/project.js';
import { DockerClient } from './api/index.js';
import { LABELS } from './labels.js';

const MARKER = 'docker-used';

/** Notes that this project put something on a Docker daemon, so `down` knows to look there. */
export function markDockerUsed(stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(stateDir, MARKER), `${new Date().toISOString()}\n`);
}

export function dockerWasUsed(stateDir: string): boolean {
  return fs.existsSync(path.join(stateDir, MARKER));
}

export async function removeDockerResources(
  project: Project,
  options: { volumes: boolean },
): Promise<string[]> {
  const client = DockerClient.fromEnv();
  const labels = { [LABELS.project]: project.name, [LABELS.root]: project.root };
  const done: string[] = [];
  try {
    for (const c of await client.containers.list({ labels })) {
      await client.containers.remove(c.Id, { force: true, v: true });
      done.push(`removed container ${c.Names[0]?.slice(1) ?? c.Id.slice(0, 12)}`);
    }
    for (const n of await client.networks.list({ labels })) {
      await client.networks.remove(n.Id);
      done.push(`removed network ${n.Name}`);
    }
    if (options.volumes) {
      for (const v of await client.volumes.list({ labels })) {
        await client.volumes.remove(v.Name);
        done.push(`removed volume ${v.Name}`);
      }
    }
  } finally {
    client.close();
  }
  if (options.volumes || done.length > 0) fs.rmSync(path.join(project.stateDir, MARKER), { force: true });
  return done;
}
