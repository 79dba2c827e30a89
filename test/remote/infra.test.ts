// The remote-host test infrastructure itself (scripts/remote-docker.sh, scripts/registry.sh),
// checked with the real tools before anything is built on it: the remote daemon answers over the
// link, a port a remote container publishes on a per-project bridge network is reached from here,
// the link carries ~20 Mbit/s, an image pushed from this machine is pulled by digest on the remote,
// the remote namespace has no way out but the link, and the link faults do what they say.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerClient, packBuffer } from '../../src/runtimes/docker/api/index.js';
import { answer, docker, dockerRun } from '../support/docker-cli.js';
import { eventually } from '../support/project.js';
import {
  blackholeLink,
  cutLink,
  describeRemote,
  lockRemote,
  prepareRemote,
  REGISTRY_PULL,
  REGISTRY_PUSH,
  REMOTE_ADDR,
  REMOTE_DOCKER_HOST,
  remoteDocker,
  remoteDockerRun,
  remotePort,
  restoreLink,
  withRemote,
} from '../support/remote.js';

const run = randomBytes(4).toString('hex');
const LABEL = `pitstop.test.infra=${run}`;
const MB = 1024 * 1024;

describeRemote(
  'remote docker host and registry (test infrastructure)',
  () => {
    let release: (() => void) | undefined;

    beforeAll(async () => {
      // The throughput and fault checks need the link to themselves.
      release = await lockRemote();
      await prepareRemote();
    }, 10 * 60_000);

    afterAll(() => {
      restoreLink();
      const ids = remoteDockerRun('ps', '-aq', '--filter', `label=${LABEL}`)
        .stdout.split('\n')
        .filter(Boolean);
      if (ids.length) remoteDockerRun('rm', '-f', '-v', ...ids);
      const nets = remoteDockerRun('network', 'ls', '-q', '--filter', `label=${LABEL}`)
        .stdout.split('\n')
        .filter(Boolean);
      if (nets.length) remoteDockerRun('network', 'rm', ...nets);
      release?.();
    });

    it('answers over tcp as a daemon of its own', async () => {
      expect(remoteDocker('version', '--format', '{{.Server.APIVersion}}')).toBe('1.41');
      const remoteId = remoteDocker('info', '--format', '{{.ID}}');
      expect(remoteId).not.toBe(docker('info', '--format', '{{.ID}}'));
      // pitstop's own client over plain tcp, the way pitstop will talk to it.
      const client = DockerClient.fromEnv({ DOCKER_HOST: REMOTE_DOCKER_HOST });
      try {
        expect(client.endpoint.kind).toBe('tcp');
        expect((await client.system.ping()).apiVersion).toBe('1.41');
        expect((await client.system.info()).ID).toBe(remoteId);
      } finally {
        client.close();
      }
      // The base images are there, under the tags the examples' Dockerfiles name.
      expect(remoteDocker('image', 'inspect', '--format', '{{.Id}}', 'busybox:1.36')).toBe(
        docker('image', 'inspect', '--format', '{{.Id}}', 'busybox:1.36'),
      );
    });

    it('publishes a port of a container on a per-project bridge network at 10.200.0.2', async () => {
      const net = `pitstop-infra-${run}`;
      remoteDocker('network', 'create', '--label', LABEL, net);
      const port = await remotePort();
      const httpd = (text: string) => [
        'sh',
        '-c',
        `busybox mkdir -p /www && echo ${text} > /www/index.html && exec busybox httpd -f -p 8080 -h /www`,
      ];
      remoteDocker(
        'run',
        '-d',
        '--label',
        LABEL,
        '--network',
        net,
        '--network-alias',
        'web',
        '-p',
        `${port}:8080`,
        'busybox:1.36',
        ...httpd(`remote-${run}`),
      );
      const body = await eventually(
        async () => {
          const got = await answer(`http://${REMOTE_ADDR}:${port}/`, 2_000);
          return got.startsWith('error:') ? undefined : got;
        },
        20_000,
        `http://${REMOTE_ADDR}:${port}/`,
      );
      expect(body.trim()).toBe(`remote-${run}`);
      // Containers on the network find each other by name (the daemon's DNS works in the namespace).
      const viaName = remoteDockerRun(
        'run',
        '--rm',
        '--label',
        LABEL,
        '--network',
        net,
        'busybox:1.36',
        'busybox',
        'wget',
        '-q',
        '-O',
        '-',
        'http://web:8080/',
      );
      expect(viaName.stdout.trim()).toBe(`remote-${run}`);
      // The container's own address is in the namespace only: nothing routes it from here.
      const ip = remoteDocker('ps', '-q', '--filter', `label=${LABEL}`, '--filter', `network=${net}`).split(
        '\n',
      )[0]!;
      const own = remoteDocker(
        'inspect',
        '--format',
        `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`,
        ip,
      );
      expect(own).toMatch(/^10\.202\./);
      expect(await answer(`http://${own}:8080/`, 2_000)).toMatch(/^error: .*(EHOSTUNREACH|ENETUNREACH)/);
    });

    it('carries about 20 Mbit/s each way', async () => {
      await withRemote(async (client) => {
        const { Id } = await client.containers.create({
          image: 'busybox:1.36',
          cmd: ['sleep', '600'],
          labels: { 'pitstop.test.infra': run },
        });
        // Warm: the connection is open and the daemon has the container's rootfs ready.
        await client.containers.putArchive(Id, '/tmp', packBuffer([{ path: 'warm', content: 'x' }]));
        const blob = randomBytes(2 * MB); // incompressible, as a binary is
        const tar = packBuffer([{ path: 'blob', content: blob }]);
        let started = performance.now();
        await client.containers.putArchive(Id, '/tmp', tar);
        const upMBps = tar.length / MB / ((performance.now() - started) / 1000);
        started = performance.now();
        let received = 0;
        for await (const chunk of await client.containers.getArchive(Id, '/tmp/blob')) {
          received += (chunk as Buffer).length;
        }
        const downMBps = received / MB / ((performance.now() - started) / 1000);
        console.log(`link: up ${upMBps.toFixed(2)} MB/s, down ${downMBps.toFixed(2)} MB/s (2 MB each)`);
        expect(received).toBeGreaterThan(2 * MB);
        expect(upMBps).toBeGreaterThan(1.5);
        expect(upMBps).toBeLessThan(3.5);
        expect(downMBps).toBeGreaterThan(1.5);
        expect(downMBps).toBeLessThan(3.5);
      });
    });

    it('takes an image pushed from this machine and pulls it by digest on the remote', async () => {
      const repo = `pitstop-infra/busybox`;
      const tag = `${REGISTRY_PUSH}/${repo}:${run}`;
      docker('tag', 'busybox:1.36', tag);
      try {
        const pushed = dockerRun('push', tag);
        expect(pushed.code, pushed.stderr).toBe(0);
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
        expect(digest, pushed.stdout).toBeDefined();
        // One storage behind both listeners: the pull side lists what the push side took.
        const catalog = await answer(`http://${REGISTRY_PULL}/v2/_catalog?n=1000`);
        expect(JSON.parse(catalog).repositories).toContain(repo);

        const ref = `${REGISTRY_PULL}/${repo}@${digest}`;
        remoteDocker('pull', ref);
        expect(remoteDocker('image', 'inspect', '--format', '{{.Id}}', ref)).toBe(
          docker('image', 'inspect', '--format', '{{.Id}}', 'busybox:1.36'),
        );
        expect(remoteDocker('run', '--rm', '--label', LABEL, ref, 'echo', 'pulled')).toBe('pulled');
        remoteDockerRun('rmi', ref);
        // Deletes are enabled (a test can leave the registry as it found it).
        const del = await fetch(`http://${REGISTRY_PUSH}/v2/${repo}/manifests/${digest}`, {
          method: 'DELETE',
        });
        expect(del.status).toBe(202);
      } finally {
        dockerRun('rmi', tag);
      }
    });

    it('has no way out of the namespace but the link', () => {
      const routes = spawnSync(
        'nsenter',
        ['--net=/var/run/netns/pitstop-remote', 'ip', '-4', 'route', 'show'],
        {
          encoding: 'utf8',
        },
      );
      expect(routes.status, routes.stderr).toBe(0);
      expect(routes.stdout).not.toMatch(/^default/m);
      for (const line of routes.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^10\.20[0-3]\./);
    });

    it('fails fast when the link is cut and hangs when it is blackholed, then comes back', async () => {
      const ping = (timeoutMs: number) =>
        withRemote((client) => client.system.ping({ timeoutMs })).then(
          () => 'ok',
          (err: Error) => err.message,
        );
      expect(await ping(2_000)).toBe('ok');
      try {
        cutLink();
        let started = performance.now();
        expect(await ping(5_000)).not.toBe('ok');
        expect(performance.now() - started).toBeLessThan(1_000);
        restoreLink();
        expect(await eventually(async () => (await ping(2_000)) === 'ok', 10_000, 'the link back')).toBe(
          true,
        );

        blackholeLink();
        started = performance.now();
        expect(await ping(700)).not.toBe('ok');
        expect(performance.now() - started).toBeGreaterThanOrEqual(650);
      } finally {
        restoreLink();
      }
      expect(await eventually(async () => (await ping(2_000)) === 'ok', 10_000, 'the link back')).toBe(true);
    });
  },
  { registry: true },
);
