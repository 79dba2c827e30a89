// Images through a registry: built by one engine, pushed (only the layers the registry lacks
// travel), and pulled by digest by the engine that runs them, so a redeploy always runs exactly
// what was built. Used when a service names a registry; credentials as the docker CLI finds them.
import { PitstopError } from '../../errors.js';
import type { RegistrySpec } from '../../model/project.js';
import { type DockerClient, jsonLines } from './api/index.js';
import { credentialsFor, registryAuthHeader } from './registry-auth.js';

interface ProgressLine {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

export interface Published {
  /** What the target engine runs: `<pull registry>/<repo>@sha256:…`. */
  ref: string;
  digest: string;
}

/** Pushes `local` (an image on `builder`) as `<registry.push>/<repo>:<tag>`; resolves with its digest. */
export async function push(
  builder: DockerClient,
  local: string,
  registry: RegistrySpec,
  repo: string,
  tag: string,
  options: { signal?: AbortSignal; onLine(line: string): void },
): Promise<string> {
  const name = `${registry.push}/${repo}`;
  await builder.images.tag(local, name, tag);
  const auth = registryAuthHeader(await credentialsFor(registry.push));
  const res = await builder.stream('POST', `/images/${encodeURIComponent(name)}/push`, {
    query: { tag },
    headers: { 'X-Registry-Auth': auth },
    signal: options.signal,
  });
  let digest: string | undefined;
  for await (const line of jsonLines<ProgressLine>(res)) {
    const error = line.errorDetail?.message ?? line.error;
    if (error) {
      throw new PitstopError(`pushing ${name}:${tag} to ${registry.push} failed: ${error}`, {
        hint: `check that the registry at ${registry.push} is up and accepts pushes (docker login ${registry.push} if it needs credentials)`,
      });
    }
    if (line.aux?.Digest) digest = line.aux.Digest;
    else if (line.status && !line.status.startsWith('Pushing') && !line.status.startsWith('Waiting')) {
      options.onLine(`${line.id ? `${line.id}: ` : ''}${line.status}`);
    }
  }
  if (!digest) throw new PitstopError(`pushing ${name}:${tag} to ${registry.push} gave no digest`);
  return digest;
}

/** Makes the target engine hold `<registry.pull>/<repo>@digest`, pulling only what it lacks. */
export async function pull(
  target: DockerClient,
  registry: RegistrySpec,
  repo: string,
  digest: string,
  options: { signal?: AbortSignal; onLine(line: string): void },
): Promise<Published> {
  const ref = `${registry.pull}/${repo}@${digest}`;
  try {
    await target.images.inspect(ref);
    return { ref, digest };
  } catch {
    // Not there yet: pull it.
  }
  const auth = registryAuthHeader(await credentialsFor(registry.pull));
  const res = await target.stream('POST', '/images/create', {
    query: { fromImage: ref },
    headers: { 'X-Registry-Auth': auth },
    signal: options.signal,
  });
  for await (const line of jsonLines<ProgressLine>(res)) {
    const error = line.errorDetail?.message ?? line.error;
    if (error) {
      throw new PitstopError(`pulling ${ref} failed: ${error}`, {
        hint: `check that the engine can reach the registry at ${registry.pull}`,
      });
    }
    if (line.status && !line.status.startsWith('Downloading') && !line.status.startsWith('Extracting')) {
      options.onLine(`${line.id ? `${line.id}: ` : ''}${line.status}`);
    }
  }
  return { ref, digest };
}
