// Images (build, tag, list, remove), networks and volumes against the real daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConflict, isNotFound } from './api-error.js';
import { DockerClient } from './client.js';
import { jsonLines } from './json-lines.js';
import { packBuffer } from './tar.js';
import {
  dockerAvailable,
  ensureBusyboxImage,
  removeTestResources,
  testLabels,
  uniqueName,
} from './testing.js';

interface BuildLine {
  stream?: string;
  error?: string;
  aux?: unknown;
  id?: string;
}

describe.runIf(dockerAvailable())('images, networks and volumes', () => {
  const client = DockerClient.fromEnv();
  const { labels, run } = testLabels();
  let base: string;

  beforeAll(async () => {
    base = await ensureBusyboxImage(client);
  });

  afterAll(async () => {
    await removeTestResources(client, run);
    client.close();
  });

  async function build(dockerfile: string, options: Parameters<DockerClient['images']['build']>[1]) {
    const context = packBuffer([
      { path: 'Dockerfile', content: dockerfile },
      { path: 'hello.txt', content: 'hello from the context\n' },
    ]);
    const lines: BuildLine[] = [];
    for await (const line of jsonLines<BuildLine>(await client.images.build(context, options)))
      lines.push(line);
    return lines;
  }

  it('builds with the legacy builder, then tags, lists and removes the image', async () => {
    const repo = uniqueName('legacy');
    const lines = await build(`FROM ${base}\nCOPY hello.txt /hello.txt\n`, {
      tags: [`${repo}:1`],
      labels: { ...labels, 'pitstop.image': 'legacy' },
    });
    expect(lines.filter((l) => l.error)).toEqual([]);
    expect(lines.some((l) => l.stream?.includes(`Successfully tagged ${repo}:1`))).toBe(true);

    const image = await client.images.inspect(`${repo}:1`);
    expect(image.Config?.Labels).toMatchObject({ 'pitstop.image': 'legacy' });
    await client.images.tag(`${repo}:1`, repo, '2');
    expect((await client.images.inspect(`${repo}:2`)).Id).toBe(image.Id);

    const byReference = await client.images.list({ reference: repo });
    expect(byReference.map((i) => i.Id)).toEqual([image.Id]);
    expect(byReference[0]!.RepoTags?.sort()).toEqual([`${repo}:1`, `${repo}:2`]);
    const byLabel = await client.images.list({
      labels: { 'pitstop.test.run': run, 'pitstop.image': 'legacy' },
    });
    expect(byLabel.map((i) => i.Id)).toEqual([image.Id]);

    expect(await client.images.remove(`${repo}:2`)).toEqual([{ Untagged: `${repo}:2` }]);
    const removed = await client.images.remove(`${repo}:1`);
    expect(removed).toContainEqual({ Deleted: image.Id });
    await expect(client.images.inspect(`${repo}:1`)).rejects.toSatisfy(isNotFound);
  });

  it('builds with BuildKit, with build args and a target stage', async () => {
    const repo = uniqueName('buildkit');
    const dockerfile = [
      `FROM ${base} AS first`,
      'ARG MSG',
      'RUN echo "$MSG" > /msg',
      'FROM first AS second',
      'RUN echo never > /never',
    ].join('\n');
    const lines = await build(dockerfile, {
      tags: [`${repo}:1`],
      buildkit: true,
      buildArgs: { MSG: 'built-with-args' },
      target: 'first',
      labels,
    });
    expect(lines.filter((l) => l.error)).toEqual([]);
    expect(lines.some((l) => l.id === 'moby.buildkit.trace')).toBe(true);
    // The target stops the build before the second stage: /never must not exist.
    const cmd = ['sh', '-c', 'cat /msg; [ -e /never ] && echo second-stage-ran; true'];
    const { Id } = await client.containers.create({ image: `${repo}:1`, labels, cmd });
    await client.containers.start(Id);
    await client.containers.wait(Id);
    const output = [];
    for await (const line of client.containers.logs(Id)) output.push(line.text);
    expect(output).toEqual(['built-with-args']);
  });

  it('reports a failing build step in the stream, not as an HTTP error', async () => {
    const lines = await build(`FROM ${base}\nRUN echo failing-step && exit 3\n`, { labels });
    const error = lines.find((l) => l.error);
    expect(error?.error).toContain('returned a non-zero code: 3');
  });

  it('creates, inspects, lists, connects and removes a network', async () => {
    const name = uniqueName('net');
    const { Id } = await client.networks.create(name, { labels });
    const network = await client.networks.inspect(name);
    expect(network).toMatchObject({ Id, Name: name, Driver: 'bridge', Labels: labels });
    expect(
      (await client.networks.list({ labels: { 'pitstop.test.run': run } })).map((n) => n.Name),
    ).toContain(name);
    expect(await client.networks.create(name, { labels }).catch((e: unknown) => isConflict(e))).toBe(true);

    const container = await client.containers.create({
      image: base,
      labels,
      network: name,
      networkAliases: ['api'],
    });
    const other = uniqueName('net2');
    await client.networks.create(other, { labels });
    await client.networks.connect(other, container.Id, { aliases: ['api-two'] });
    const networks = (await client.containers.inspect(container.Id)).NetworkSettings.Networks;
    expect(networks[name]?.Aliases).toContain('api');
    expect(networks[other]?.Aliases).toContain('api-two');
    await client.networks.disconnect(other, container.Id);
    expect(Object.keys((await client.containers.inspect(container.Id)).NetworkSettings.Networks)).toEqual([
      name,
    ]);

    await client.containers.remove(container.Id, { force: true });
    await client.networks.remove(name);
    await client.networks.remove(other);
    await expect(client.networks.inspect(name)).rejects.toSatisfy(isNotFound);
  });

  it('creates, lists, mounts and removes a volume', async () => {
    const name = uniqueName('vol');
    const volume = await client.volumes.create(name, { labels });
    expect(volume).toMatchObject({ Name: name, Driver: 'local', Labels: labels });
    expect((await client.volumes.list({ labels: { 'pitstop.test.run': run } })).map((v) => v.Name)).toEqual([
      name,
    ]);

    const writer = await client.containers.create({
      image: base,
      labels,
      cmd: ['sh', '-c', 'echo kept > /data/file'],
      mounts: [{ type: 'volume', source: name, target: '/data' }],
    });
    await client.containers.start(writer.Id);
    expect(await client.containers.wait(writer.Id)).toMatchObject({ StatusCode: 0 });
    await client.containers.remove(writer.Id);
    const reader = await client.containers.create({
      image: base,
      labels,
      cmd: ['cat', '/data/file'],
      binds: [`${name}:/data:ro`],
    });
    await client.containers.start(reader.Id);
    await client.containers.wait(reader.Id);
    const lines = [];
    for await (const line of client.containers.logs(reader.Id)) lines.push(line.text);
    expect(lines).toEqual(['kept']);
    await client.containers.remove(reader.Id);

    await client.volumes.remove(name);
    await expect(client.volumes.inspect(name)).rejects.toSatisfy(isNotFound);
  });
});
