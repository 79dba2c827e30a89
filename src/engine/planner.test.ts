import { describe, expect, it } from 'vitest';
import type { Service } from '../model/project.js';
import { makeService } from '../model/testing.js';
import { fullPlan, isNoop, planUpdate, syncTarget } from './planner.js';

const dir = '/proj/api';

function service(overrides: Partial<Service> = {}): Service {
  return makeService('api', dir, {
    build: [
      {
        name: 'compile',
        cmd: { shell: 'go build -o bin/api .' },
        cwd: dir,
        env: {},
        inputs: ['**/*.go', 'go.mod'],
        outputs: ['bin'],
      },
    ],
    run: { cmd: { argv: ['./bin/api'] }, cwd: dir, env: {}, stopSignal: 'SIGTERM', stopTimeoutMs: 5000 },
    liveUpdate: [{ kind: 'restart', mode: 'process' }],
    restartPolicy: 'on-failure',
    ...overrides,
  });
}

const change = (rel: string, kind: 'change' | 'delete' = 'change') => ({ path: `${dir}/${rel}`, kind });

describe('planUpdate', () => {
  it('compiles and restarts the process when a Go file changes', () => {
    const plan = planUpdate(service(), [change('main.go')]);
    expect(plan).toMatchObject({ full: false, builds: ['compile'], syncs: [], runs: [], restart: 'process' });
    expect(plan.reason).toBe('live update: build compile, restart process');
  });

  it('falls back to a full rebuild when a fall_back_on path changes', () => {
    const plan = planUpdate(service({ fallBackOn: ['go.sum'] }), [change('main.go'), change('go.sum')]);
    expect(plan.full).toBe(true);
    expect(plan.reason).toBe('go.sum matches fall_back_on "go.sum"');
    expect(plan.builds).toEqual(['compile']);
  });

  it('falls back to a full rebuild when a change is covered by no rule', () => {
    const plan = planUpdate(service(), [change('main.go'), change('README.md')]);
    expect(plan.full).toBe(true);
    expect(plan.reason).toContain('README.md is not covered');
  });

  it('lets a change outside the image (.dockerignore) pass when no rule covers it', () => {
    const outsideImage = (abs: string) => abs.endsWith('.md');
    const docs = planUpdate(service(), [change('README.md')], { outsideImage });
    expect(isNoop(docs)).toBe(true);
    expect(planUpdate(service(), [change('main.go'), change('README.md')], { outsideImage }).builds).toEqual([
      'compile',
    ]);
    expect(planUpdate(service(), [change('notes.txt')], { outsideImage }).full).toBe(true);
    const noRules = service({ liveUpdate: [] });
    expect(isNoop(planUpdate(noRules, [change('README.md')], { outsideImage }))).toBe(true);
    expect(planUpdate(noRules, [change('main.go')], { outsideImage }).full).toBe(true);
  });

  it('rebuilds and replaces when the service has no live_update rules', () => {
    expect(planUpdate(service({ liveUpdate: [] }), [change('main.go')])).toEqual(
      fullPlan(service(), 'no live_update rules'),
    );
  });

  it('maps synced files under the target, keeps deletes, and runs untriggered commands after a sync', () => {
    const web = service({
      build: [],
      liveUpdate: [
        { kind: 'sync', from: `${dir}/src`, to: '/app/src' },
        { kind: 'run', cmd: { shell: 'npm install' }, trigger: ['package.json'] },
        { kind: 'run', cmd: { shell: 'echo synced' }, trigger: [] },
        { kind: 'restart', mode: 'process' },
      ],
    });
    const plan = planUpdate(web, [change('src/a/b.js'), change('src/old.js', 'delete')]);
    expect(plan.syncs).toEqual([
      { from: `${dir}/src/a/b.js`, to: '/app/src/a/b.js', kind: 'change', root: '/app/src' },
      { from: `${dir}/src/old.js`, to: '/app/src/old.js', kind: 'delete', root: '/app/src' },
    ]);
    expect(plan.runs).toEqual([2]);
    expect(plan.restart).toBe('process');
  });

  it('narrows a sync rule by its include and ignore patterns (Compose watch semantics)', () => {
    const web = service({
      build: [],
      liveUpdate: [
        {
          kind: 'sync',
          from: `${dir}/src`,
          to: '/app/src',
          ignore: ['node_modules/', '*.test.js'],
          include: ['**/*.js'],
        },
        { kind: 'restart', mode: 'process' },
      ],
    });
    expect(planUpdate(web, [change('src/a.js')]).syncs).toHaveLength(1);
    expect(planUpdate(web, [change('src/a.test.js')]).full).toBe(true);
    expect(planUpdate(web, [change('src/node_modules/x/y.js')]).full).toBe(true);
    expect(planUpdate(web, [change('src/readme.md')]).full).toBe(true);
  });

  it('runs a command only when its trigger matches, without restarting when no restart rule exists', () => {
    const web = service({
      build: [],
      liveUpdate: [{ kind: 'run', cmd: { shell: 'npm install' }, trigger: ['package.json'] }],
    });
    const plan = planUpdate(web, [change('package.json')]);
    expect(plan).toMatchObject({ full: false, runs: [0], syncs: [], restart: 'none' });
    expect(isNoop(plan)).toBe(false);
  });

  it('ships a host-compiled output that a sync rule covers, marked with the step that makes it', () => {
    const svc = service({
      liveUpdate: [
        { kind: 'sync', from: `${dir}/bin`, to: '/app' },
        { kind: 'restart', mode: 'process' },
      ],
    });
    const plan = planUpdate(svc, [change('main.go')]);
    expect(plan.syncs).toEqual([
      { from: `${dir}/bin`, to: '/app', kind: 'change', output: 'compile', root: '/app' },
    ]);
    expect(plan.restart).toBe('process');
    // The rule names the binary inside the output folder: that file is what travels.
    const binary = service({ liveUpdate: [{ kind: 'sync', from: `${dir}/bin/api`, to: '/api' }] });
    expect(planUpdate(binary, [change('main.go')]).syncs).toEqual([
      { from: `${dir}/bin/api`, to: '/api', kind: 'change', output: 'compile', root: '/api' },
    ]);
  });

  it('plans only the build steps whose inputs changed, in declaration order', () => {
    const svc = service({
      build: [
        { name: 'css', cmd: { shell: 'x' }, cwd: dir, env: {}, inputs: ['**/*.scss'], outputs: [] },
        { name: 'compile', cmd: { shell: 'y' }, cwd: dir, env: {}, inputs: ['**/*.go'], outputs: [] },
      ],
    });
    expect(planUpdate(svc, [change('x.go'), change('a.scss')]).builds).toEqual(['css', 'compile']);
    expect(planUpdate(svc, [change('x.go')]).builds).toEqual(['compile']);
  });
});

describe('syncTarget', () => {
  it('maps a file equal to the rule source to the target itself', () => {
    expect(syncTarget('/p/config.json', '/etc/app/config.json', '/p/config.json')).toBe(
      '/etc/app/config.json',
    );
  });

  it('refuses a path that would escape the target', () => {
    expect(() => syncTarget('/p/src', '/app', '/p/other/../../x')).toThrow(/outside \/app/);
  });
});
