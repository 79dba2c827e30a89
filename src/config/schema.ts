// The shape of pitstop.yaml, as one zod schema: validation, the JSON Schema for editors
// (scripts/write-schema.ts) and the wording of type errors all come from here. Checks that need
// the file system or the whole project (paths exist, depends_on targets, ports) live in resolve.
//
// Runtime-specific settings are meant to go in a section named after the runtime (e.g. a later
// `docker: { image: ... }` next to `runtime: docker`), so adding a runtime only adds optional keys
// and never changes what existing files mean.
import * as z from 'zod';
import { checkDuration, DURATION_PATTERN } from './duration.js';

export interface Explained {
  message: string;
  hint?: string;
}

/** How to talk about a schema in an error: what it expects, and any wording better than the default. */
export interface Expectation {
  /** Completes "expected …", e.g. `a list of strings`. */
  noun?: string;
  /** Replaces the default message for an issue raised by this schema. */
  explain?: (issue: { code: string; input: unknown }) => Explained | undefined;
}

/** Separate from zod's global registry so this wording never leaks into the JSON Schema. */
export const expectations = z.registry<Expectation>();

function expects<T extends z.ZodType>(schema: T, expectation: Expectation): T {
  expectations.add(schema, expectation);
  return schema;
}

export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const SERVICE_NAME_RULE =
  'a service name starts with a letter or digit and has only letters, digits, "_" and "-"';
export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
] as const;
export const READY_KINDS = ['http', 'tcp', 'log', 'cmd'] as const;
export const LIVE_UPDATE_KINDS = ['sync', 'run', 'restart'] as const;
/** Runtimes that exist in the design but not in this version. */
const LATER_RUNTIMES = ['kubernetes'];
export const RUNTIMES = ['local', 'docker'] as const;

const duration = (description: string) =>
  expects(z.string().regex(DURATION_PATTERN), {
    noun: 'a duration like "30s" or "500ms"',
    explain: ({ input }) => {
      if (typeof input !== 'string' && typeof input !== 'number') return undefined;
      const result = checkDuration(input);
      return result.ok ? undefined : { message: result.message, hint: result.hint };
    },
  })
    .meta({ examples: ['250ms', '30s', '2m'] })
    .describe(description);

const stringList = (description: string) =>
  expects(z.array(z.string()), { noun: 'a list of strings' }).describe(description);

const cmdString = expects(z.string().min(1), { noun: 'a command' }).describe('Run through /bin/sh -c.');
const cmdList = expects(z.array(z.string()).min(1), { noun: 'a list of strings' }).describe(
  'Program and arguments, run directly without a shell.',
);
const command = (description: string) =>
  expects(z.union([cmdString, cmdList]), { noun: 'a command (a string or a list of strings)' }).describe(
    description,
  );

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const env = (description: string) =>
  expects(
    z.record(
      z.string(),
      expects(
        z.union([
          scalar,
          z
            .strictObject({
              value: scalar.describe('The value.'),
              secret: z
                .boolean()
                .default(false)
                .describe('Never show the value: it is masked in logs, history and the dashboard.'),
            })
            .describe('A value with options.'),
        ]),
        { noun: 'a string, number or boolean, or a map with "value" and "secret"' },
      ),
    ),
    { noun: 'a map of variable names to values' },
  ).describe(description);

const port = expects(z.int().min(1).max(65535), { noun: 'a port number (1-65535)' });
/** Ports may be quoted, as Compose files often do, and may map host:container; ranges are checked when resolving. */
const portString = expects(z.string().regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}:)?[0-9]+(:[0-9]+)?$/), {
  explain: ({ code, input }) =>
    code === 'invalid_format'
      ? {
          message: `expected a port number (1-65535) or "host:container", got "${String(input)}"`,
          hint: 'e.g. 8080, "8080:80" to publish container port 80 on host port 8080, or "127.0.0.1:8080:80" to publish it on that address only',
        }
      : undefined,
});

const buildStep = expects(
  z.strictObject({
    name: z
      .string()
      .min(1)
      .optional()
      .describe('Step name, unique in the service. Default: "build", or "build-N".'),
    cmd: command('The command to run.'),
    inputs: stringList('Globs relative to the service dir; a change to a match re-runs the step.').default([
      '**/*',
    ]),
    outputs: stringList(
      'Paths or globs relative to the service dir that the step writes; never watched.',
    ).default([]),
    env: env('Environment for the step, over the service env.').optional(),
    cwd: z
      .string()
      .optional()
      .describe('Working directory, relative to the service dir. Default: the service dir.'),
  }),
  { noun: 'a build step (a command or a map with "cmd")' },
);

const runSpec = expects(
  z.strictObject({
    cmd: command('The command that runs the service.'),
    env: env('Environment for the process, over the service env.').optional(),
    cwd: z
      .string()
      .optional()
      .describe('Working directory, relative to the service dir. Default: the service dir.'),
    stop_signal: z.enum(STOP_SIGNALS).default('SIGTERM').describe('Signal sent to stop the process.'),
    stop_timeout: duration('How long to wait after stop_signal before SIGKILL.').default('5s'),
  }),
  { noun: 'a map with "cmd"' },
);

const ready = expects(
  z.strictObject({
    http: z.string().optional().describe('Ready when this http(s) URL answers with a status below 500.'),
    tcp: expects(z.union([port, z.string()]), { noun: 'a port or "host:port"' })
      .optional()
      .describe('Ready when this port (on 127.0.0.1) or "host:port" accepts a connection.'),
    log: z
      .string()
      .optional()
      .describe('Ready when an output line matches this JavaScript regular expression.'),
    cmd: command('Ready when this command exits with status 0.').optional(),
    timeout: duration('How long to wait for readiness before the start counts as failed.').default('60s'),
  }),
  { noun: 'a map with one of "http", "tcp", "log" or "cmd"' },
).meta({ oneOf: READY_KINDS.map((kind) => ({ required: [kind] })) });

const dependency = expects(
  z
    .strictObject({
      condition: z
        .enum(['started', 'ready'])
        .default('ready')
        .describe('Start this service once the dependency has started, or once it is ready.'),
      restart: z.boolean().default(false).describe('Restart this service after the dependency restarts.'),
    })
    .nullable(),
  { noun: 'a map with "condition" and "restart", or nothing' },
);

const liveUpdateStep = expects(
  z.strictObject({
    sync: expects(
      z.strictObject({
        from: z.string().min(1).describe('Host path relative to the service dir.'),
        to: z.string().min(1).describe('Target path where the service runs.'),
      }),
      { noun: 'a map with "from" and "to"' },
    )
      .optional()
      .describe('Copy changed files under `from` to `to`.'),
    run: expects(
      z.union([
        cmdString,
        cmdList,
        expects(
          z.strictObject({
            cmd: command('The command to run after syncing.'),
            trigger: stringList(
              'Globs relative to the service dir; default: after any synced change.',
            ).default([]),
          }),
          { noun: 'a map with "cmd"' },
        ),
      ]),
      { noun: 'a command (a string or a list of strings) or a map with "cmd"' },
    )
      .optional()
      .describe('Run a command where the service runs.'),
    restart: z.enum(['process', 'container']).optional().describe('Restart the process (or its container).'),
  }),
  { noun: 'a map with one of "sync", "run" or "restart"' },
).meta({ oneOf: LIVE_UPDATE_KINDS.map((kind) => ({ required: [kind] })) });

const runtimeName = expects(z.enum(RUNTIMES), {
  explain: ({ input }) =>
    typeof input === 'string' && LATER_RUNTIMES.includes(input)
      ? {
          message: `the ${input} runtime is not available in this version`,
          hint: 'use runtime: local or docker',
        }
      : undefined,
});

const imageBuild = expects(
  z.union([
    z.string().min(1),
    z.strictObject({
      context: z.string().min(1).default('.').describe('Build context folder, relative to the service dir.'),
      dockerfile: z
        .string()
        .min(1)
        .default('Dockerfile')
        .describe('Dockerfile path, relative to the context.'),
      args: env('Build arguments.').optional(),
      target: z.string().min(1).optional().describe('Build stage to stop at.'),
    }),
  ]),
  { noun: 'a context folder or a map with "context", "dockerfile", "args", "target"' },
).describe('Build the image (a context folder, or settings). Default: the Dockerfile in the service dir.');

const registry = expects(
  z.union([
    z.string().min(1),
    z.strictObject({
      push: z.string().min(1).describe('Where the engine on this machine pushes (host:port).'),
      pull: z.string().min(1).describe('Where the engine that runs the service pulls the same images from.'),
    }),
  ]),
  { noun: 'a registry address (host:port) or a map with "push" and "pull"' },
);

const docker = expects(
  z.strictObject({
    image: z.string().min(1).optional().describe('Run this image as it is instead of building one.'),
    build: imageBuild.optional(),
    command: command('Overrides the image command (CMD). `run` is for the local runtime only.').optional(),
    entrypoint: command('Overrides the image entrypoint.').optional(),
    env: env('Environment on the docker runtime only, over the service env (e.g. HOST: 0.0.0.0).').optional(),
    workdir: z.string().min(1).optional().describe('Working directory inside the container.'),
    user: expects(z.union([z.string().min(1), z.int()]), { noun: 'a user name or id' })
      .optional()
      .describe('User (name or uid[:gid]) the process runs as.'),
    volumes: stringList(
      'Mounts: "name:/path" (a named volume of the project) or "./host/path:/path", with ":ro" to mount read-only.',
    ).default([]),
    registry: expects(z.union([registry, z.literal(false)]), {
      noun: 'a registry address, a map with "push" and "pull", or false',
    })
      .optional()
      .describe("Push the image here and pull it by digest (default: the project's registry; false: none)."),
  }),
  { noun: 'a map of docker settings' },
);

export const serviceSchema = expects(
  z.strictObject({
    dir: z.string().min(1).default('.').describe('The service folder, relative to the project file.'),
    runtime: runtimeName.optional().describe("Where the service runs. Default: the project's runtime."),
    docker: docker.optional().describe('How the service runs on the docker runtime.'),
    env: env('Environment for the build steps and the process.').optional(),
    watch: stringList('Paths relative to the service dir that are watched for changes.').default(['.']),
    ignore: stringList(
      'Gitignore-style patterns relative to the service dir that are never watched.',
    ).default([]),
    build: expects(z.union([cmdString, buildStep, z.array(z.union([cmdString, buildStep]))]), {
      noun: 'a command, a build step or a list of build steps',
    })
      .optional()
      .describe('Host-side build: one command, or a list of steps.'),
    run: expects(z.union([cmdString, cmdList, runSpec]), {
      noun: 'a command (a string or a list of strings) or a map with "cmd"',
    })
      .optional()
      .describe(
        'How to run the service. Required on the local runtime; on docker it overrides the image command.',
      ),
    ports: expects(z.array(z.union([port, portString])), { noun: 'a list of port numbers' })
      .default([])
      .describe(
        'Ports the service listens on; "host:container" publishes a container port on another host port.',
      ),
    ready: ready
      .optional()
      .describe('When the service counts as ready. Default: tcp on the first port, if any.'),
    depends_on: expects(z.union([z.array(z.string()), z.record(z.string(), dependency)]), {
      noun: 'a list of service names or a map of service names to settings',
    })
      .optional()
      .describe('Services that must be started (or ready) before this one.'),
    live_update: expects(z.array(liveUpdateStep), { noun: 'a list of steps' })
      .default([])
      .describe('How a change reaches the running service without a full restart, in order.'),
    fall_back_on: stringList(
      'Globs relative to the service dir; a change to a match forces a full rebuild and restart.',
    ).default([]),
    restart: z
      .enum(['no', 'on-failure', 'always'])
      .default('on-failure')
      .describe('What to do when the process exits on its own.'),
  }),
  { noun: 'a map of service settings' },
);

export const projectSchema = expects(
  z.strictObject({
    name: expects(z.string().regex(PROJECT_NAME_PATTERN), {
      explain: ({ code, input }) =>
        code === 'invalid_format'
          ? {
              message: `invalid project name "${String(input)}"`,
              hint: 'start with a letter or digit; use only letters, digits, "_", "." and "-"',
            }
          : undefined,
    })
      .optional()
      .describe('Project name. Default: the name of the folder holding the file.'),
    runtime: runtimeName.default('local').describe('Where services run unless they say otherwise.'),
    registry: registry
      .optional()
      .describe('Registry for docker services: images are pushed there and pulled by digest where they run.'),
    settle: duration('The tree must be quiet this long before a batch of changes is cut.').default('10ms'),
    max_batch: duration('A batch is cut at the latest this long after its first change.').default('2s'),
    parallel: expects(z.int().min(1), { noun: 'a whole number' })
      .optional()
      .describe(
        'At most this many services build, start or update at once. Default: the CPU count, at least 2.',
      ),
    ignore: stringList('Gitignore-style patterns relative to the project root, for every service.').default(
      [],
    ),
    services: expects(z.record(z.string(), serviceSchema), { noun: 'a map of service names to services' })
      .meta({ propertyNames: { pattern: SERVICE_NAME_PATTERN.source } })
      .describe('The services, by name.'),
  }),
  { noun: 'a map' },
);

export type ProjectConfig = z.output<typeof projectSchema>;
export type ServiceConfig = z.output<typeof serviceSchema>;

/** The top level alone: services are validated one by one, so one bad service hides nothing else. */
export const topLevelSchema = projectSchema.extend({
  services: expects(z.record(z.string(), z.unknown()), { noun: 'a map of service names to services' }),
});
