// Where the dashboard links each service: its http readiness origin, then its host ports.
import { expect, it } from 'vitest';
import { makeService } from '../../src/model/testing.js';
import { describeServices } from '../../src/ui/dashboard/describe-services.js';

it('links the http readiness origin and the ports it does not cover', () => {
  const api = makeService('api', '/p/api', {
    runtime: 'docker',
    ports: [8081, 9090],
    publish: [
      { host: 8081, container: 80 },
      { host: 9090, container: 9090 },
    ],
    ready: { check: { kind: 'http', url: 'http://localhost:8081/healthz' }, timeoutMs: 1_000 },
  });
  const db = makeService('db', '/p/db', {
    ports: [5432],
    ready: { check: { kind: 'tcp', host: '127.0.0.1', port: 5432 }, timeoutMs: 1_000 },
    dependsOn: [],
  });
  const web = makeService('web', '/p/web', {
    dependsOn: [
      { service: 'api', condition: 'ready', restart: false },
      { service: 'db', condition: 'started', restart: true },
    ],
  });
  expect(describeServices([api, db, web])).toEqual([
    {
      name: 'api',
      runtime: 'docker',
      endpoints: ['http://localhost:8081/', 'http://127.0.0.1:9090/'],
      dependsOn: [],
    },
    { name: 'db', runtime: 'local', endpoints: ['http://127.0.0.1:5432/'], dependsOn: [] },
    { name: 'web', runtime: 'local', endpoints: [], dependsOn: ['api', 'db'] },
  ]);
});
