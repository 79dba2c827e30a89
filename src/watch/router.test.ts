import { describe, expect, it } from 'vitest';
import type { FileChange } from '../model/update.js';
import { routeChanges } from './router.js';
import { makeProject, makeService } from './testing.js';

const project = makeProject('/p', [
  makeService('api', '/p/api', {
    watch: ['/p/api', '/p/shared/proto'],
    ignore: ['*.md', 'tmp/', '!keep.md'],
  }),
  makeService('web', '/p/web', { watch: ['/p/web/src', '/p/web/package.json'] }),
  makeService('idle', '/p/idle', { watch: [] }),
]);

const change = (path: string): FileChange => ({ path, kind: 'change' });
const del = (path: string): FileChange => ({ path, kind: 'delete' });

describe('routeChanges', () => {
  it('gives each service the changes under its watch paths', () => {
    const routed = routeChanges(project, [
      change('/p/api/main.go'),
      change('/p/web/src/app.tsx'),
      change('/p/web/package.json'),
      change('/p/web/README'),
      change('/p/shared/proto/api.proto'),
      change('/p/other/x'),
    ]);
    expect(Object.fromEntries(routed)).toEqual({
      api: [change('/p/api/main.go'), change('/p/shared/proto/api.proto')],
      web: [change('/p/web/src/app.tsx'), change('/p/web/package.json')],
    });
  });

  it('does not match a sibling whose name extends the watch path', () => {
    expect(routeChanges(project, [change('/p/api-gateway/x'), change('/p/web/package.json.bak')]).size).toBe(
      0,
    );
  });

  it("applies the service's own ignore patterns, relative to its folder", () => {
    const routed = routeChanges(project, [
      change('/p/api/README.md'),
      change('/p/api/docs/guide.md'),
      change('/p/api/keep.md'),
      change('/p/api/tmp/cache'),
      change('/p/api/tmpfile'),
    ]);
    expect(routed.get('api')).toEqual([change('/p/api/keep.md'), change('/p/api/tmpfile')]);
  });

  it('treats a deleted path that matches a folder-only pattern as ignored', () => {
    expect(routeChanges(project, [del('/p/api/tmp')]).size).toBe(0);
  });

  it('routes a folder delete that contains a watch path', () => {
    const routed = routeChanges(project, [del('/p/web'), del('/p/shared')]);
    expect(routed.get('web')).toEqual([del('/p/web')]);
    expect(routed.get('api')).toEqual([del('/p/shared')]);
    // A change (not a delete) to a parent folder is not for the service.
    expect(routeChanges(project, [change('/p/web')]).size).toBe(0);
  });

  it('routes one change to every service watching it', () => {
    const both = makeProject('/p', [
      makeService('a', '/p/a', { watch: ['/p/lib'] }),
      makeService('b', '/p/b', { watch: ['/p'] }),
    ]);
    const routed = routeChanges(both, [change('/p/lib/x.ts')]);
    expect([...routed.keys()]).toEqual(['a', 'b']);
  });
});
