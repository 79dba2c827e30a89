// The talk's "cache dependencies" advice, from the Dockerfile itself: when the whole context is
// copied before dependencies are installed, every code change invalidates that layer and the
// next build downloads them all again. We say so once, with the reordered lines to use.

export interface DockerfileAdvice {
  /** 1-based line of the COPY/ADD of the whole context. */
  copyLine: number;
  /** 1-based line of the dependency install that follows it. */
  installLine: number;
  tool: string;
  message: string;
  /** The lines to put in place of the COPY, in order. */
  suggestion: string[];
}

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

interface Installer {
  tool: string;
  test: RegExp;
  manifests: string[];
  /** The install command to put between the manifests and the rest; the original when absent. */
  prefetch?: string;
}

const INSTALLERS: Installer[] = [
  {
    tool: 'npm',
    test: /\bnpm\s+(ci|install|i)\b/,
    manifests: ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'],
  },
  { tool: 'yarn', test: /\byarn(\s+install)?(\s|$)/, manifests: ['package.json', 'yarn.lock'] },
  { tool: 'pnpm', test: /\bpnpm\s+(install|i)\b/, manifests: ['package.json', 'pnpm-lock.yaml'] },
  { tool: 'pip', test: /\bpip3?\s+install\b.*-r\s+\S+/, manifests: ['requirements.txt'] },
  {
    tool: 'go',
    test: /\bgo\s+(mod\s+download|build|install)\b/,
    manifests: ['go.mod', 'go.sum'],
    prefetch: 'go mod download',
  },
  { tool: 'bundler', test: /\bbundle\s+install\b/, manifests: ['Gemfile', 'Gemfile.lock'] },
  { tool: 'composer', test: /\bcomposer\s+install\b/, manifests: ['composer.json', 'composer.lock'] },
  {
    tool: 'cargo',
    test: /\bcargo\s+(build|fetch)\b/,
    manifests: ['Cargo.toml', 'Cargo.lock'],
    prefetch: 'cargo fetch',
  },
];

/** Dockerfile instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let joined = lines[i] ?? '';
    if (/^\s*#/.test(joined) || joined.trim() === '') continue;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      joined = `${joined.replace(/\\\s*$/, ' ')}${next}`;
    }
    const m = /^\s*(\w+)\s*(.*)$/.exec(joined);
    if (m) out.push({ line: start + 1, keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
  }
  return out;
}

/** Sources and destination of a COPY/ADD, without its --flags. */
function copyParts(args: string): { sources: string[]; dest: string; flags: string[] } | undefined {
  let words: string[];
  if (args.startsWith('[')) {
    try {
      words = JSON.parse(args) as string[];
    } catch {
      return undefined;
    }
  } else words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  if (rest.length < 2) return undefined;
  return { sources: rest.slice(0, -1), dest: rest.at(-1) ?? '.', flags };
}

const WHOLE_CONTEXT = new Set(['.', './', '*', './*']);

/**
 * Advice for each stage that copies the whole context before installing dependencies.
 * `exists` says which manifest files are in the build context, so the suggestion names only those.
 */
export function adviseDockerfile(text: string, exists: (file: string) => boolean): DockerfileAdvice[] {
  const advice: DockerfileAdvice[] = [];
  let copy: { line: number; dest: string; flags: string[] } | undefined;
  for (const ins of parseDockerfile(text)) {
    if (ins.keyword === 'FROM') copy = undefined;
    if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && !copy) {
      const parts = copyParts(ins.args);
      if (
        parts?.sources.some((s) => WHOLE_CONTEXT.has(s)) &&
        !parts.flags.some((f) => f.startsWith('--from'))
      ) {
        copy = { line: ins.line, dest: parts.dest, flags: parts.flags };
      }
    }
    if (ins.keyword !== 'RUN' || !copy) continue;
    // A cache mount already keeps downloads across builds: the documented alternative.
    if (/--mount=[^\s]*type=cache/.test(ins.args)) continue;
    const installer = INSTALLERS.find((i) => i.test.test(ins.args));
    if (!installer) continue;
    const manifests = installer.manifests.filter(exists);
    if (manifests.length === 0) continue;
    const dest =
      copy.dest.endsWith('/') || copy.dest === '.' ? copy.dest.replace(/^\.$/, './') : `${copy.dest}/`;
    const flags = copy.flags.length ? `${copy.flags.join(' ')} ` : '';
    const install = installer.prefetch ?? ins.args.replace(/^--\S+\s+/g, '');
    advice.push({
      copyLine: copy.line,
      installLine: ins.line,
      tool: installer.tool,
      message:
        `line ${copy.line} copies the whole build context before line ${ins.line} installs ${installer.tool} dependencies, ` +
        'so every code change downloads them all again; copy the dependency files first:',
      suggestion: [
        `COPY ${flags}${manifests.join(' ')} ${dest}`,
        `RUN ${install}`,
        `COPY ${flags}. ${copy.dest}`,
      ],
    });
    copy = undefined;
  }
  return advice;
}
