import { describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { dependentsOf, findCycle, type GraphNode, startOrder, withDependencies } from './graph.js';

/** `node('web', 'api', 'db')`: web depends on api and db. */
function node(name: string, ...deps: string[]): GraphNode {
  return { name, dependsOn: deps.map((service) => ({ service, condition: 'ready', restart: false })) };
}

const shop = [
  node('db'),
  node('cache'),
  node('api', 'db', 'cache'),
  node('worker', 'db'),
  node('web', 'api'),
];

describe('findCycle', () => {
  it('finds none in a DAG', () => {
    expect(findCycle(shop)).toBeUndefined();
    expect(findCycle([])).toBeUndefined();
  });

  it('names the cycle as the path that closes it', () => {
    expect(findCycle([node('a', 'b'), node('b', 'a')])).toEqual(['a', 'b', 'a']);
    expect(findCycle([node('x'), node('a', 'b'), node('b', 'c'), node('c', 'a')])).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
    expect(findCycle([node('a', 'a')])).toEqual(['a', 'a']);
  });

  it('gives only the cycle, not the path leading into it', () => {
    expect(findCycle([node('top', 'a'), node('a', 'b'), node('b', 'a')])).toEqual(['a', 'b', 'a']);
  });

  it('ignores dependencies on unknown services', () => {
    expect(findCycle([node('a', 'ghost')])).toBeUndefined();
  });
});

describe('startOrder', () => {
  it('puts every service after its dependencies, in file order within a level', () => {
    expect(startOrder(shop)).toEqual([['db', 'cache'], ['api', 'worker'], ['web']]);
  });

  it('starts independent services together', () => {
    expect(startOrder([node('b'), node('a')])).toEqual([['b', 'a']]);
  });

  it('throws on a cycle', () => {
    expect(() => startOrder([node('a', 'b'), node('b', 'a'), node('c')])).toThrow(
      'dependency cycle: a → b → a',
    );
  });
});

describe('dependentsOf', () => {
  it('lists direct dependents only, in file order', () => {
    expect(dependentsOf(shop, 'db')).toEqual(['api', 'worker']);
    expect(dependentsOf(shop, 'api')).toEqual(['web']);
    expect(dependentsOf(shop, 'web')).toEqual([]);
  });
});

describe('withDependencies', () => {
  it('adds transitive dependencies, in file order', () => {
    expect(withDependencies(shop, ['web'])).toEqual(['db', 'cache', 'api', 'web']);
    expect(withDependencies(shop, ['worker', 'cache'])).toEqual(['db', 'cache', 'worker']);
    expect(withDependencies(shop, [])).toEqual([]);
  });

  it('rejects an unknown name as a usage error with a suggestion', () => {
    try {
      withDependencies(shop, ['web', 'wrker']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PitstopError);
      const e = err as PitstopError;
      expect([e.message, e.hint, e.exitCode]).toEqual([
        'no service named "wrker"',
        'did you mean "worker"?',
        2,
      ]);
    }
    expect(() => withDependencies(shop, ['zzz'])).toThrow(
      expect.objectContaining({ hint: 'the services are: db, cache, api, worker, web' }),
    );
  });
});
