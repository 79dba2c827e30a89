// The docker runtime's "prepare" step: the image a service runs. Named by the hash of its build
// inputs, so an unchanged context is never built twice; built by BuildKit when the daemon has
// it, with each build step recorded as a child span and its output sent to the service log.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileHashes } from '../../build/file-hashes.js';
import { PitstopError } from '../../errors.js';
import { epochNow } from '../../events.js';
import type { ImageBuild, Project, Service } from '../../model/project.js';
import type { Span } from '../../model/update.js';
import type { PrepareOptions, PrepareResult } from '../runtime.js';
import { type DockerClient, isNotFound, jsonLines, packFiles, type TarEntry } from './api/index.js';
import { readContext } from './build-context.js';
import { type BuildMessage, BuildProgress } from './build-progress.js';
import type { DigestStore } from './digest-store.js';
import { adviseDockerfile } from './dockerfile-advice.js';
import { LABELS } from './labels.js';
import { pull, push } from './registry.js';
import { credentialsFor, registryAuthHeader } from './registry-auth.js';

/** Where a Dockerfile outside the context travels inside the uploaded context. */
const OUTSIDE_DOCKERFILE = '.pitstop.Dockerfile';

export class ImageBuilder {
  readonly #images = new Map<string, string>();
  readonly #advised = new Set<string>();
  readonly #buildkit = new Map<DockerClient, Promise<boolean>>();

  constructor(
    private readonly client: DockerClient,
    private readonly project: Project,
    private readonly hashes: FileHashes,
    private readonly warn: (service: string, message: string) => void,
    /** The engine that builds images pushed to a registry (the one on this machine). */
    private readonly builder: DockerClient,
    /** Digests of pushed images by `<pull registry>/<repo>:<context hash>`, kept across sessions. */
    private readonly digests: DigestStore,
  ) {}

  /** The image `start` runs for the service: the last one prepared, or the configured one. */
  imageFor(service: Service): string {
    const image = this.#images.get(service.name) ?? service.docker.image;
    if (!image) throw new PitstopError(`no image prepared for ${service.name}`);
    return image;
  }

  async prepare(service: Service, options: PrepareOptions): Promise<PrepareResult> {
    const { image, build } = service.docker;
    if (image) {
      if (options.cachedOnly && !(await this.#exists(this.client, image))) throw notCached(service);
      const pulled = await this.#requireImage(image, options);
      this.#images.set(service.name, image);
      return { cached: !pulled, detail: pulled ? `${image} (pulled)` : image };
    }
    if (!build) throw new PitstopError(`${service.name} has neither docker.image nor a build`);
    const context = await readContext(build, this.hashes);
    const repo = imageName(this.project.name, service.name);
    const version = context.hash.slice(0, 12);
    const tag = `${repo}:${version}`;
    const registry = service.docker.registry;
    if (registry && options.cachedOnly) throw notCached(service);
    if (registry && !options.force) {
      const digest = this.digests.get(`${registry.pull}/${tag}`);
      if (digest) {
        const started = epochNow();
        const published = await pull(this.client, registry, repo, digest, {
          ...options,
          onLine: (l) => options.onLine('stdout', l),
        });
        this.#images.set(service.name, published.ref);
        return { cached: true, detail: published.ref, children: [child('pull', started)] };
      }
    } else if (!options.force && (await this.#exists(this.client, tag))) {
      this.#images.set(service.name, tag);
      return { cached: true, detail: tag };
    }
    if (options.cachedOnly) throw notCached(service);
    await this.#advise(
      service,
      build,
      context.entries.map((e) => e.rel),
    );

    const entries: TarEntry[] = context.entries.map((e) => ({
      path: e.rel,
      source: e.abs,
      type: e.type,
      mode: e.mode,
      linkname: e.linkname,
    }));
    if (!context.dockerfileRel)
      entries.push({ path: OUTSIDE_DOCKERFILE, content: await readFile(build.dockerfile) });
    const progress = new BuildProgress(options.onLine, undefined, (stage) => options.onProgress?.(stage));
    // With a registry, the engine on this machine builds (the context never crosses the link)
    // and the image travels through the registry, by digest.
    const builder = registry ? this.builder : this.client;
    const buildkit = await this.#hasBuildkit(builder);
    const stream = await builder.images.build(packFiles(entries), {
      tags: [tag],
      dockerfile: context.dockerfileRel ?? OUTSIDE_DOCKERFILE,
      buildArgs: build.args,
      target: build.target,
      labels: { [LABELS.project]: this.project.name, [LABELS.service]: service.name },
      buildkit,
      signal: options.signal,
    });
    for await (const message of jsonLines<BuildMessage>(stream)) progress.add(message);
    if (progress.error) {
      throw new PitstopError(`image build of ${service.name} failed: ${progress.error}`, {
        logTail: progress.tail,
        hint: 'fix the Dockerfile or what it builds, and save: the running container keeps serving',
      });
    }
    const children = progress.spans();
    if (registry) {
      const lines = { ...options, onLine: (l: string) => options.onLine('stdout', l) };
      const pushedAt = epochNow();
      const digest = await push(builder, tag, registry, repo, version, lines);
      children.push(child('push', pushedAt));
      this.digests.set(`${registry.pull}/${tag}`, digest);
      const pulledAt = epochNow();
      const published = await pull(this.client, registry, repo, digest, lines);
      children.push(child('pull', pulledAt));
      this.#images.set(service.name, published.ref);
      return { cached: false, detail: published.ref, children };
    }
    this.#images.set(service.name, tag);
    return { cached: false, detail: `${tag}${buildkit ? '' : ' (legacy builder)'}`, children };
  }

  /** Makes sure the engine has `image`, pulling it as `docker compose up` would; true when it pulled. */
  async #requireImage(image: string, options: PrepareOptions): Promise<boolean> {
    if (await this.#exists(this.client, image)) return false;
    try {
      const res = await this.client.stream('POST', '/images/create', {
        query: { fromImage: image.includes(':') || image.includes('@') ? image : `${image}:latest` },
        headers: { 'X-Registry-Auth': registryAuthHeader(await credentialsFor(registryOf(image))) },
        signal: options.signal,
      });
      for await (const line of jsonLines<{ status?: string; error?: string }>(res)) {
        if (line.error) throw new Error(line.error);
        if (line.status && !/^(Downloading|Extracting|Waiting)/.test(line.status))
          options.onLine('stdout', line.status);
      }
    } catch (err) {
      throw new PitstopError(
        `the image ${image} is not on the Docker engine and pulling it failed: ${(err as Error).message}`,
        {
          hint: `check the name and that the engine reaches its registry (docker pull ${image}), or give the service a docker.build`,
        },
      );
    }
    return true;
  }

  async #exists(client: DockerClient, image: string): Promise<boolean> {
    try {
      await client.images.inspect(image);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  #hasBuildkit(client: DockerClient): Promise<boolean> {
    // BuildKit is in every Linux daemon since API 1.39 (Docker 18.09) and takes a plain tar context.
    let known = this.#buildkit.get(client);
    if (!known) {
      known = client.system.version().then(
        (v) => v.Os === 'linux' && Number(v.ApiVersion) >= 1.39,
        () => false,
      );
      this.#buildkit.set(client, known);
    }
    return known;
  }

  async #advise(service: Service, build: ImageBuild, files: string[]): Promise<void> {
    if (this.#advised.has(service.name)) return;
    this.#advised.add(service.name);
    const inContext = new Set(files);
    let text: string;
    try {
      text = await readFile(build.dockerfile, 'utf8');
    } catch {
      return;
    }
    const where = path.relative(this.project.root, build.dockerfile);
    for (const advice of adviseDockerfile(
      text,
      (f) => inContext.has(f) || existsSync(path.join(build.context, f)),
    )) {
      this.warn(
        service.name,
        `${where}: ${advice.message}\n${advice.suggestion.map((l) => `    ${l}`).join('\n')}`,
      );
    }
  }
}

/** The registry an image name points at: its first part when that looks like a host. */
function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'https://index.docker.io/v1/';
}

function child(what: 'push' | 'pull', startedAt: number): Span {
  return {
    name: 'image',
    startedAt,
    durationMs: Math.round((epochNow() - startedAt) * 100) / 100,
    outcome: 'ok',
    detail: what,
  };
}

/** A valid image repository name for the project's service: lowercase, limited characters. */
export function imageName(project: string, service: string): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '') || 'x';
  return `pitstop-${clean(project)}-${clean(service)}`;
}

function notCached(service: Service): Error {
  return new Error(`${service.name}: its image is not there yet`);
}
