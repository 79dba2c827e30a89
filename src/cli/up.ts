import { PitstopError } from '../errors.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject, selectServices } from './project.js';
import { reportError } from './report-error.js';
import { startSession } from './run-session.js';

export async function upCommand(names: string[], options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  const services = selectServices(project, names);
  const port = options.uiPort === undefined ? 0 : Number(options.uiPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PitstopError(`--ui-port must be a port number, got "${options.uiPort}"`, {
      exitCode: EXIT.USAGE,
    });
  }
  const { app, interrupted } = await startSession(project, services, {
    json: Boolean(options.json),
    watch: true,
    dashboard: options.ui === false ? undefined : { port },
  });
  let code: number = EXIT.OK;
  const started = app.start().catch((err: unknown) => {
    code = reportError(err, Boolean(options.json));
    return 'failed';
  });
  const reason = await Promise.race([
    interrupted,
    started.then((r) => (r === 'failed' ? r : new Promise<string>(() => {}))),
  ]);
  await app.stop(reason);
  return code;
}
