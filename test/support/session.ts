// Helpers for tests that drive `pitstop up --json` through PitstopSession: typed event matchers,
// sessions stopped after each test, and the check that a stopped session left nothing behind.
import { expect } from 'vitest';
import { PitstopSession } from '../../bench/lib/pitstop.js';
import type { PitstopEvent } from '../../src/events.js';
import { processesIn } from './project.js';

export type Of<T extends PitstopEvent['type']> = Extract<PitstopEvent, { type: T }>;

/** A matcher for `waitFor` and `filter`: events of `type` that pass `test`. */
export const is =
  <T extends PitstopEvent['type']>(type: T, test: (e: Of<T>) => boolean = () => true) =>
  (e: PitstopEvent): e is Of<T> =>
    e.type === type && test(e as Of<T>);

export const finished = (service: string) => is('update-finished', (e) => e.record.service === service);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sessions: PitstopSession[] = [];

/** `pitstop up --json` in `dir`; stopped by `stopSessions` (call it in afterEach) if the test did not. */
export function up(dir: string): PitstopSession {
  const session = PitstopSession.start(dir);
  sessions.push(session);
  return session;
}

export async function stopSessions(): Promise<void> {
  for (const session of sessions.splice(0)) await session.stop();
}

/** Waits until every service has been ready and each one's start record is out. */
export async function ready(session: PitstopSession, timeoutMs: number): Promise<void> {
  const { services } = await session.waitFor(is('session-started'), timeoutMs);
  await session.waitReady(timeoutMs);
  for (const service of services) {
    await session.waitFor(
      is('update-finished', (e) => e.record.service === service && e.record.kind === 'start'),
      timeoutMs,
    );
  }
}

/** Stops the session as Ctrl-C would and checks that it exited 0 and left nothing behind. */
export async function stopClean(session: PitstopSession): Promise<void> {
  const report = await session.stop();
  expect(report).toMatchObject({ clean: true, exitCode: 0, stragglers: [] });
  expect(processesIn(session.dir)).toEqual([]);
}
