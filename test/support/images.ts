// Base images for the docker tests, made from this machine's own binaries (no registry can be
// reached): busybox for a shell, node from the host's node and its libraries, and a Go
// toolchain image from the host's GOROOT. Each is imported once and found again by its tag.
import { execFileSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type DockerClient,
  isNotFound,
  jsonLines,
  packFiles,
  type TarEntry,
} from '../../src/runtimes/docker/api/index.js';

export { dockerAvailable, ensureBusyboxImage } from '../../src/runtimes/docker/api/testing.js';

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'ls', 'cat', 'sleep', 'echo', 'rm', 'mkdir', 'env', 'true', 'wget', 'tar'];

async function exists(client: DockerClient, tag: string): Promise<boolean> {
  try {
    await client.images.inspect(tag);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function importImage(
  client: DockerClient,
  tag: string,
  entries: TarEntry[],
  changes: string[],
): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  const res = await client.stream('POST', '/images/create', {
    query: { fromSrc: '-', repo, tag: version, changes },
    body: packFiles(entries),
    headers: { 'content-type': 'application/x-tar' },
  });
  for await (const line of jsonLines<{ error?: string }>(res)) {
    if (line.error) throw new Error(`importing ${tag} failed: ${line.error}`);
  }
}

function busyboxEntries(): TarEntry[] {
  return [
    { path: 'bin', type: 'directory' },
    { path: 'tmp', type: 'directory', mode: 0o1777 },
    { path: 'bin/busybox', source: BUSYBOX },
    ...APPLETS.map((name) => ({ path: `bin/${name}`, type: 'symlink' as const, linkname: 'busybox' })),
  ];
}

/** Files of a host folder as tar entries under `prefix`, skipping what a compiler never reads. */
function treeEntries(root: string, prefix: string, skip: (rel: string) => boolean): TarEntry[] {
  const out: TarEntry[] = [{ path: prefix, type: 'directory' }];
  const walk = (dir: string) => {
    for (const dirent of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, dirent.name);
      const rel = path.relative(root, abs);
      if (skip(rel)) continue;
      const entry = path.posix.join(prefix, rel.split(path.sep).join('/'));
      if (dirent.isDirectory()) {
        out.push({ path: entry, type: 'directory' });
        walk(abs);
      } else out.push({ path: entry, source: abs });
    }
  };
  walk(root);
  return out;
}

/** node 20 from the host, with the libraries `ldd` lists and a busybox shell. */
export async function ensureNodeImage(client: DockerClient): Promise<string> {
  const tag = 'pitstop-test/node:20';
  if (await exists(client, tag)) return tag;
  const node = process.execPath;
  const libs = execFileSync('ldd', [node], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+)\s+\(0x/.exec(l)?.[1])
    .filter((l): l is string => Boolean(l));
  const dirs = new Set<string>();
  for (const file of [...libs, '/usr/local/bin/node']) {
    for (let d = path.dirname(file); d !== '/'; d = path.dirname(d)) dirs.add(d);
  }
  const entries: TarEntry[] = [
    ...busyboxEntries(),
    ...[...dirs].sort().map((d) => ({ path: d.slice(1), type: 'directory' as const })),
    // Libraries are often symlinks: store the files they resolve to under the linked name.
    ...libs.map((lib) => ({
      path: lib.slice(1),
      source: realpathSync(lib),
      type: 'file' as const,
      mode: statSync(lib).mode & 0o777,
    })),
    { path: 'usr/local/bin/node', source: realpathSync(node), type: 'file', mode: 0o755 },
  ];
  await importImage(client, tag, entries, ['ENV PATH=/usr/local/bin:/bin', 'CMD ["node"]']);
  return tag;
}

/** The host's Go toolchain with a busybox shell, for compiling inside a container. */
export async function ensureGoImage(client: DockerClient): Promise<string> {
  const tag = 'pitstop-test/go:1';
  if (await exists(client, tag)) return tag;
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const skip = (rel: string) => /^(test|doc|api|misc|lib\/wasm)(\/|$)|\/testdata(\/|$)|_test\.go$/.test(rel);
  await importImage(
    client,
    tag,
    [...busyboxEntries(), ...treeEntries(goroot, 'usr/local/go', skip)],
    [
      'ENV PATH=/usr/local/go/bin:/bin',
      'ENV GOCACHE=/root/.cache/go-build',
      'ENV HOME=/root',
      'ENV CGO_ENABLED=0',
      'CMD ["go", "version"]',
    ],
  );
  return tag;
}
