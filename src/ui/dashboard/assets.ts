// The page and what it loads. No bundler: the page's modules are served as ES modules (compiled
// by the project's own `tsc` into dist/, or transpiled on the fly when running from source), and
// the libraries' own ESM builds come straight from node_modules, found through an import map.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_CSS } from './styles.js';

export interface Asset {
  type: string;
  body: string | Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const require = createRequire(import.meta.url);
const pageDir = fileURLToPath(new URL('./page/', import.meta.url));

/** Library files by URL: each package's own browser ESM build (its Node entry may be CommonJS). */
function vendorFiles(): Map<string, { file: string; type: string }> {
  const preact = packageDir('preact');
  const htm = packageDir('htm');
  const uplot = packageDir('uplot');
  return new Map([
    ['/vendor/preact.js', { file: path.join(preact, 'dist/preact.mjs'), type: JS }],
    ['/vendor/preact-hooks.js', { file: path.join(preact, 'hooks/dist/hooks.mjs'), type: JS }],
    ['/vendor/htm.js', { file: path.join(htm, 'dist/htm.module.js'), type: JS }],
    ['/vendor/htm-preact.js', { file: path.join(htm, 'preact/index.module.js'), type: JS }],
    ['/vendor/uplot.js', { file: path.join(uplot, 'dist/uPlot.esm.js'), type: JS }],
    ['/vendor/uplot.css', { file: path.join(uplot, 'dist/uPlot.min.css'), type: CSS }],
  ]);
}

/** The folder of an installed package, found the way Node finds it (so hoisting doesn't matter). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!isPackageRoot(dir, name)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${name} package`);
    dir = parent;
  }
  return dir;
}

function isPackageRoot(dir: string, name: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === name;
  } catch {
    return false;
  }
}

const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: '/vendor/preact.js',
    'preact/hooks': '/vendor/preact-hooks.js',
    htm: '/vendor/htm.js',
    // htm bound to Preact's h: JSX-like templates with no build step.
    'htm/preact': '/vendor/htm-preact.js',
    uplot: '/vendor/uplot.js',
  },
});

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1f6feb"/><path d="M5 8h6M8 5v6" stroke="#fff" stroke-width="2"/></svg>`;

/** Page modules transpiled from source, shared by every server of the process (tests start many). */
const transpiled = new Map<string, Asset>();

export class Assets {
  readonly #vendor = vendorFiles();
  readonly #cache = new Map<string, Asset>();
  /** The Content-Security-Policy of the page: nothing but our own files and this import map. */
  readonly csp: string;

  constructor(
    private readonly projectName: string,
    private readonly token: string,
  ) {
    const mapHash = createHash('sha256').update(IMPORT_MAP).digest('base64');
    this.csp = [
      "default-src 'none'",
      `script-src 'self' 'sha256-${mapHash}'`,
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  html(): string {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="pitstop-token" content="${escapeHtml(this.token)}">
<title>pitstop · ${escapeHtml(this.projectName)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/uplot.css">
<link rel="stylesheet" href="/styles.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/page/main.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
  }

  /** A static file by URL path, or undefined when there is none. */
  async get(urlPath: string): Promise<Asset | undefined> {
    if (urlPath === '/styles.css') return { type: CSS, body: DASHBOARD_CSS };
    if (urlPath === '/favicon.svg') return { type: 'image/svg+xml', body: FAVICON };
    const vendor = this.#vendor.get(urlPath);
    if (vendor)
      return this.#cached(urlPath, () => ({ type: vendor.type, body: fs.readFileSync(vendor.file) }));
    const page = /^\/page\/([a-z][a-z0-9-]*)\.js$/.exec(urlPath)?.[1];
    if (page) return this.#pageModule(page);
    return undefined;
  }

  async #pageModule(name: string): Promise<Asset | undefined> {
    const compiled = path.join(pageDir, `${name}.js`);
    if (fs.existsSync(compiled))
      return this.#cached(compiled, () => ({ type: JS, body: fs.readFileSync(compiled) }));
    // Running from source (tests, tsx): strip the types of the .ts file; never in a built package.
    const source = path.join(pageDir, `${name}.ts`);
    if (!fs.existsSync(source)) return undefined;
    const key = `${source}@${fs.statSync(source).mtimeMs}`;
    const hit = transpiled.get(key);
    if (hit) return hit;
    const ts = (await import('typescript')).default;
    const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    });
    const asset = { type: JS, body: outputText };
    transpiled.set(key, asset);
    return asset;
  }

  #cached(key: string, load: () => Asset): Asset {
    let asset = this.#cache.get(key);
    if (!asset) {
      asset = load();
      this.#cache.set(key, asset);
    }
    return asset;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
