// The command line. Kept light: each command's module (and the engine behind it) is imported
// only when that command runs, so `pitstop --help` answers at once.
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import type { GlobalOptions } from './project.js';

const program = new Command('pitstop')
  .description(
    'Run a multi-service app in development and keep it live as the code changes, timing every step.',
  )
  .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
  .option(
    '-f, --file <path>',
    'project file: pitstop.yaml, or compose.yaml (repeat to merge Compose files); default: searched upward',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option(
    '--profile <name>',
    'turn on a Compose profile (repeatable)',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option('--json', 'machine-readable output: JSON lines of events, or one JSON document')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

function run<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals() as GlobalOptions;
    const positional = args.slice(0, -2) as A;
    try {
      const action = await load();
      process.exitCode = await action(...([...positional, options] as unknown as A));
    } catch (err) {
      const { reportError } = await import('./report-error.js');
      process.exitCode = reportError(err, Boolean(options.json));
    }
    // Commands end by returning; anything still pending (timers, sockets) must not keep us alive.
    setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
  };
}

program
  .command('up')
  .description('build and start services in dependency order, then keep them live as files change')
  .argument('[services...]', 'only these services (and what they depend on)')
  .option('--runtime <name>', 'run every service on this runtime: local or docker')
  .option('--no-ui', 'do not start the web dashboard')
  .option('--ui-port <port>', 'serve the dashboard on this loopback port (default: any free one)')
  .action(run(async () => (await import('./up.js')).upCommand));

program
  .command('ci')
  .description('build, start and wait until every service is ready once; print the timing table; exit 0 or 1')
  .argument('[services...]', 'only these services (and what they depend on)')
  .option('--runtime <name>', 'run every service on this runtime: local or docker')
  .action(run(async () => (await import('./ci.js')).ciCommand));

program
  .command('down')
  .description('stop the running session of this project and remove anything an earlier session left behind')
  .option('-v, --volumes', 'also remove the named volumes pitstop created (caches)')
  .action(run(async () => (await import('./down.js')).downCommand));

program
  .command('status')
  .description('show each service of the running session: state, process, last update and its step times')
  .action(run(async () => (await import('./status.js')).statusCommand));

program
  .command('logs')
  .description('show service output (all services merged, or one)')
  .argument('[service]', 'only this service')
  .option('-f, --follow', 'keep printing new output')
  .option('-n, --tail <lines>', 'only the last <lines> lines')
  .option('-t, --timestamps', 'prefix each line with its time')
  .action(run(async () => (await import('./logs.js')).logsCommand));

program
  .command('trigger')
  .description('rebuild and restart one service of the running session now')
  .argument('<service>', 'the service to update')
  .action(run(async () => (await import('./trigger.js')).triggerCommand));

program
  .command('report')
  .description('where the time goes: per service, step medians and p95, edit-to-live, trend')
  .argument('[services...]', 'only these services')
  .option('--last <n>', 'the last n updates of each service (default 50)')
  .option('--since <window>', 'updates of the last <window>, e.g. 1h, 7d')
  .option('--compare <window>', 'the last <window> against the one before it, e.g. 1d')
  .action(run(async () => (await import('./report.js')).reportCommand));

program
  .command('advise')
  .description('suggestions from the recorded updates, each with the numbers behind it')
  .action(run(async () => (await import('./advise.js')).adviseCommand));

program
  .command('validate')
  .description('check the project file and exit (0 valid, 3 invalid)')
  .action(run(async () => (await import('./validate.js')).validateCommand));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    const ok =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help';
    process.exitCode = ok ? EXIT.OK : EXIT.USAGE;
  } else throw err;
}
