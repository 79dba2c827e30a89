// A value marked secret never reaches what pitstop shows or keeps: the JSON event stream, the
// log files behind `pitstop logs`, or error messages.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, removeProjects, runCli } from './support/project.js';
import { is, ready, stopSessions, up } from './support/session.js';

afterEach(async () => {
  await stopSessions();
  removeProjects();
});

describe('secrets', () => {
  it('masks secret env values in service output, logs and failures', async () => {
    const secret = 's3cr3t-token-value';
    const dir = makeProject({
      'pitstop.yaml': `services:
  api:
    run: node print.mjs
    env:
      TOKEN: { value: ${secret}, secret: true }
      PLAIN: visible-value
    ready: { log: "printed" }
    live_update:
      - run: { cmd: "echo failing with $TOKEN; exit 3", trigger: [trigger.txt] }
`,
      'print.mjs': `console.log('token is ' + process.env.TOKEN + ', plain is ' + process.env.PLAIN);
console.log('printed');
setInterval(() => {}, 1 << 30);
`,
    });
    const session = up(dir);
    await ready(session, 30_000);
    fs.writeFileSync(path.join(dir, 'trigger.txt'), 'go');
    await session.waitFor(
      is('update-finished', (e) => e.record.kind === 'live'),
      30_000,
    );

    const shown = JSON.stringify(session.events);
    expect(shown).not.toContain(secret);
    expect(shown).toContain('token is ••••••, plain is visible-value');
    expect(shown).toContain('failing with ••••••');
    const logs = runCli(['logs', 'api'], dir).stdout;
    expect(logs).toContain('token is ••••••');
    expect(logs).not.toContain(secret);
    expect(fs.readFileSync(path.join(dir, '.pitstop', 'logs', 'api.log'), 'utf8')).not.toContain(secret);
  });
});
