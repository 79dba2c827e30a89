// What the container runs: `build` (context, dockerfile, args, target) or `image`, `command`,
// `entrypoint`, `working_dir`, `user`. A string command is split into words as Compose splits it
// (no shell: `npm run dev` runs npm with two arguments); only a list like ["sh", "-c", "..."]
// runs a shell, as in Compose.
import path from 'node:path';
import type { DockerSpec, ImageBuild } from '../../model/project.js';
import { displayPath } from '../render.js';
import { statOrUndefined } from '../stat.js';
import type { KeyPath } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import { BUILD_KEYS, UNSUPPORTED_BUILD_KEYS } from './keys.js';
import { child, entries, isMap, type Node } from './located.js';
import { isRemoteContext } from './normalize.js';
import type { ServiceScope } from './scope.js';
import { splitWords } from './shell-words.js';

const PULLING = /^(always|daily|weekly|refresh|every_.*)$/;

/** `command` / `entrypoint`: a list as it is, a string split into words like Compose does. */
export function commandOf(scope: ServiceScope, key: 'command' | 'entrypoint'): string[] | undefined {
  const node = child(scope.node, key);
  if (!node || node.value === null) return undefined;
  if (typeof node.value === 'string') {
    const split = splitWords(node.value);
    if (!split.ok) {
      scope.error([key], split.message, { hint: split.hint });
      return undefined;
    }
    if (split.dropped) {
      scope.warn(
        [key],
        `no shell runs this string, so Compose (and pitstop) run "${split.words.join(' ')}" and drop "${split.dropped}"; write ["sh", "-c", "..."] to use a shell`,
      );
    }
    return split.words;
  }
  return scope.texts(node, [key]);
}

function buildArgs(scope: ServiceScope, node: Node | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  if (!node || node.value === null) return args;
  if (!isMap(node.value)) {
    scope.error(
      ['build', 'args'],
      `expected a map or a list of "NAME=value", got ${describeInput(node.value)}`,
    );
    return args;
  }
  for (const [name, part] of entries(node)) {
    if (part.value === null) {
      // An argument without a value takes it from the environment, else Docker's default applies.
      const inherited = scope.ctx.env(name);
      if (inherited !== undefined) args[name] = inherited;
    } else if (typeof part.value === 'object') {
      scope.error(['build', 'args', name], `expected a string, got ${describeInput(part.value)}`);
    } else {
      args[name] = String(part.value);
    }
  }
  return args;
}

function imageBuild(scope: ServiceScope, node: Node): ImageBuild | undefined {
  if (!isMap(node.value)) {
    scope.error(
      ['build'],
      `expected a context folder or a map with "context", got ${describeInput(node.value)}`,
    );
    return undefined;
  }
  scope.checkKeys(node, ['build'], BUILD_KEYS, UNSUPPORTED_BUILD_KEYS);
  const contextRel: KeyPath = child(node, 'context') ? ['build', 'context'] : ['build'];
  const context = scope.text(child(node, 'context'), contextRel) ?? scope.ctx.root;
  if (isRemoteContext(context)) {
    scope.error(contextRel, `remote build contexts (${context}) are not supported by pitstop`, {
      hint: 'clone it next to the Compose file and point build.context at the folder',
    });
    return undefined;
  }
  const dockerfileRel: KeyPath = ['build', 'dockerfile'];
  const dockerfile = path.resolve(
    context,
    scope.text(child(node, 'dockerfile'), dockerfileRel) ?? 'Dockerfile',
  );
  if (!statOrUndefined(context)?.isDirectory()) {
    scope.error(contextRel, `the build context ${displayPath(context)} is not a folder`, {
      hint: 'build (or build.context) is relative to the Compose file',
    });
  } else if (!statOrUndefined(dockerfile)?.isFile()) {
    scope.error(
      child(node, 'dockerfile') ? dockerfileRel : contextRel,
      `there is no Dockerfile at ${displayPath(dockerfile)}`,
      {
        hint: 'build.dockerfile is relative to the build context',
      },
    );
  }
  const build: ImageBuild = { context, dockerfile, args: buildArgs(scope, child(node, 'args')) };
  const target = scope.text(child(node, 'target'), ['build', 'target']);
  if (target) build.target = target;
  return build;
}

export function mapDocker(scope: ServiceScope, volumes: DockerSpec['volumes']): DockerSpec {
  const spec: DockerSpec = { env: {}, volumes };
  const buildNode = child(scope.node, 'build');
  const image = scope.text(child(scope.node, 'image'), ['image'], 'an image name');
  if (buildNode && buildNode.value !== null) {
    const build = imageBuild(scope, buildNode);
    if (build) spec.build = build;
    if (image) {
      scope.warn(
        ['image'],
        `pitstop tags the image it builds by a hash of its inputs; the name "${image}" is not given to it`,
      );
    }
  } else if (image) {
    spec.image = image;
  } else {
    scope.error([], `service "${scope.name}" has neither "image" nor "build"`, {
      at: 'key',
      hint: 'add image: <an image on this machine> or build: <folder with a Dockerfile>',
    });
  }
  const pull = scope.text(child(scope.node, 'pull_policy'), ['pull_policy']);
  if (pull !== undefined && PULLING.test(pull)) {
    scope.warn(
      ['pull_policy'],
      'pitstop never pulls images: the image must be on the Docker host already (ignored)',
    );
  }
  const command = commandOf(scope, 'command');
  if (command) spec.command = command;
  const entrypoint = commandOf(scope, 'entrypoint');
  if (entrypoint) spec.entrypoint = entrypoint;
  const workdir = scope.text(child(scope.node, 'working_dir'), ['working_dir']);
  if (workdir) spec.workdir = workdir;
  const user = scope.text(child(scope.node, 'user'), ['user']);
  if (user) spec.user = user;
  return spec;
}
