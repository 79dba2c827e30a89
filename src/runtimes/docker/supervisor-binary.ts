// The static supervisor pitstop puts into every container it creates (agent/, built by
// `npm run build`), picked for the daemon's CPU architecture.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PitstopError } from '../../errors.js';

const AGENT_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'agent',
  'dist',
);

const ARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

export interface SupervisorBinary {
  content: Buffer;
  /** Short content hash: part of every container's hash, so a new supervisor replaces old containers. */
  hash: string;
}

export async function loadSupervisor(daemonArch: string): Promise<SupervisorBinary> {
  const arch = ARCH[daemonArch];
  if (!arch) {
    throw new PitstopError(
      `the Docker daemon runs on ${daemonArch}, which pitstop's supervisor is not built for`,
      {
        hint: 'pitstop supports amd64 and arm64 daemons',
      },
    );
  }
  const file = path.join(AGENT_DIST, `supervisor-linux-${arch}`);
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    throw new PitstopError(`the in-container supervisor is missing: ${file}`, {
      hint: 'build it with `npm run build` (needs Go), or install a pitstop release that includes it',
    });
  }
  return { content, hash: createHash('sha256').update(content).digest('hex').slice(0, 16) };
}
