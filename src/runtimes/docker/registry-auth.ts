// Registry credentials found the way the docker CLI finds them: `$DOCKER_CONFIG/config.json`
// (default ~/.docker) — `credHelpers[registry]`, else `credsStore`, else `auths[registry].auth`.
// The result only ever goes into the X-Registry-Auth header; it is never logged or kept.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface RegistryCredentials {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

async function readConfig(env: NodeJS.ProcessEnv): Promise<DockerConfig> {
  const dir = env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  try {
    return JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return {};
  }
}

function fromHelper(helper: string, registry: string): Promise<RegistryCredentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
        const token = answer.Username === '<token>';
        resolve({
          serveraddress: registry,
          ...(token
            ? { identitytoken: answer.Secret }
            : { username: answer.Username, password: answer.Secret }),
        });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(registry);
  });
}

export async function credentialsFor(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryCredentials | undefined> {
  const config = await readConfig(env);
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) {
    const found = await fromHelper(helper, registry);
    if (found) return found;
  }
  const entry =
    config.auths?.[registry] ?? config.auths?.[`https://${registry}`] ?? config.auths?.[`http://${registry}`];
  if (entry?.identitytoken) return { serveraddress: registry, identitytoken: entry.identitytoken };
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { serveraddress: registry, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** The X-Registry-Auth header value: base64url JSON, `{}` when there are no credentials. */
export function registryAuthHeader(credentials: RegistryCredentials | undefined): string {
  return Buffer.from(JSON.stringify(credentials ?? {})).toString('base64url');
}
