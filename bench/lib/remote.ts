// The remote Docker host the S2 scenario runs on: the test infrastructure's second daemon
// behind a 20 Mbit/s link (scripts/remote-docker.sh up; helpers in test/support/remote.ts).
// Everything measured goes over that link (tcp://10.200.0.2:2375); the helpers are loaded only
// when a scenario needs them, so the others never touch the remote.

/** The remote daemon over the shaped link, as pitstop and the docker CLI reach it (as in test/support/remote.ts). */
export const REMOTE_ADDR = '10.200.0.2';
export const REMOTE_DOCKER_HOST = `tcp://${REMOTE_ADDR}:2375`;

/** `env` with DOCKER_HOST the remote daemon, and nothing that would point the CLI elsewhere. */
export function remoteEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, DOCKER_HOST: REMOTE_DOCKER_HOST };
  delete out.DOCKER_CONTEXT;
  delete out.DOCKER_TLS_VERIFY;
  delete out.DOCKER_CERT_PATH;
  return out;
}

type RemoteSupport = typeof import('../../test/support/remote.js');
let support: Promise<RemoteSupport> | undefined;

/** test/support/remote.ts, loaded on first use. */
export function remoteSupport(): Promise<RemoteSupport> {
  support ??= import('../../test/support/remote.js');
  return support;
}

/** Why the remote host cannot be used here (with what to run), or undefined when it can. */
export async function remoteMissing(): Promise<string | undefined> {
  return (await remoteSupport()).remoteMissing();
}

/** Whether scripts/remote-docker.sh made the link (the daemon may still not answer). */
export async function remoteLinkPresent(): Promise<boolean> {
  return (await remoteSupport()).linkPresent();
}

/** A port no remote container publishes, for a loop's container on the remote host. */
export async function remotePort(): Promise<number> {
  return (await remoteSupport()).remotePort();
}

/**
 * Takes the remote link for the scenario (tests that time transfers take it too, so neither
 * skews the other); resolves with the release. Waits up to `timeoutMs` for another holder.
 */
export async function lockRemoteLink(timeoutMs: number, log: (message: string) => void): Promise<() => void> {
  const { lockRemote } = await remoteSupport();
  const waiting = setTimeout(() => log('  waiting for the remote link (another run holds it)'), 2000);
  try {
    return await lockRemote(timeoutMs);
  } finally {
    clearTimeout(waiting);
  }
}
