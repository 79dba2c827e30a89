// Shared by the docker tests: the base images every example expects (made locally, tagged with
// the names the Dockerfiles use, since no registry can be reached) and a check that a project
// left nothing behind on the daemon.
import { DockerClient } from '../../src/runtimes/docker/api/index.js';
import { LABELS } from '../../src/runtimes/docker/labels.js';
import { dockerAvailable, ensureBusyboxImage, ensureGoImage, ensureNodeImage } from './images.js';

export { dockerAvailable };

/** The base images the examples' Dockerfiles name, made locally and tagged with those names. */
export async function prepareBaseImages(options: { go?: boolean } = {}): Promise<void> {
  const client = DockerClient.fromEnv();
  try {
    const busybox = await ensureBusyboxImage(client);
    await client.images.tag(busybox, 'busybox', '1.36');
    const node = await ensureNodeImage(client);
    await client.images.tag(node, 'node', '20-alpine');
    if (options.go) {
      const go = await ensureGoImage(client);
      await client.images.tag(go, 'golang', '1.22');
    }
  } finally {
    client.close();
  }
}

/** Containers, networks and volumes that still carry the project's labels (should be none after down). */
export async function leftovers(projectName: string, root: string): Promise<string[]> {
  const client = DockerClient.fromEnv();
  const labels = { [LABELS.project]: projectName, [LABELS.root]: root };
  try {
    const containers = await client.containers.list({ labels });
    const networks = await client.networks.list({ labels });
    return [
      ...containers.map((c) => `container ${c.Names[0] ?? c.Id} (${c.State})`),
      ...networks.map((n) => `network ${n.Name}`),
    ];
  } finally {
    client.close();
  }
}

/** Removes everything a test project made, volumes included; for afterEach. */
export async function removeProject(projectName: string, root: string): Promise<void> {
  const client = DockerClient.fromEnv();
  const labels = { [LABELS.project]: projectName, [LABELS.root]: root };
  try {
    for (const c of await client.containers.list({ labels })) {
      await client.containers.remove(c.Id, { force: true, v: true }).catch(() => undefined);
    }
    for (const n of await client.networks.list({ labels }))
      await client.networks.remove(n.Id).catch(() => undefined);
    for (const v of await client.volumes.list({ labels }))
      await client.volumes.remove(v.Name).catch(() => undefined);
  } finally {
    client.close();
  }
}
