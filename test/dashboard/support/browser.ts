// A real browser for the dashboard's tests: Debian's Chromium driven by playwright-core, headless,
// with a fresh profile and nothing that reaches the network. Tests skip (saying why) without it.
//
// Chromium aborts every request in flight (net::ERR_NETWORK_CHANGED) whenever an address on the
// machine changes, and Docker changes them each time a container starts (its veth gets an IPv6
// link-local address). The Docker tests run beside these, so where it can (root, `unshare`, `ip`)
// Chromium runs in a network namespace of its own that only has a loopback, and reaches the
// dashboard through an HTTP proxy on a unix socket (sockets in the filesystem cross namespaces).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.PITSTOP_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export const noBrowser = fs.existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set PITSTOP_CHROMIUM)`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The port of the proxy inside Chromium's namespace (nothing else listens there). */
const PROXY_PORT = 8999;

export interface TestBrowser {
  context: BrowserContext;
  /** Whether Chromium runs in its own network namespace (immune to the machine's network changes). */
  isolated: boolean;
  /** A new tab that records console errors and uncaught exceptions in `problems`. */
  page(): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitstop-chromium-'));
  const profile = path.join(dir, 'profile');
  const proxy = canIsolate() ? await startProxy(path.join(dir, 'proxy.sock')) : undefined;
  const executablePath = proxy ? writeIsolatingLauncher(dir, path.join(dir, 'proxy.sock')) : CHROMIUM;
  const proxyArgs = proxy
    ? [`--proxy-server=http://127.0.0.1:${PROXY_PORT}`, '--proxy-bypass-list=<-loopback>']
    : [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...ARGS, ...proxyArgs],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    isolated: proxy !== undefined,
    async page() {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
      return { page, problems };
    },
    async close() {
      await context.close();
      await new Promise((resolve) => proxy?.close(resolve) ?? resolve(undefined));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canIsolate(): boolean {
  if (process.env.PITSTOP_BROWSER_NETNS === '0') return false;
  return (
    spawnSync('unshare', ['-n', '--', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' }).status === 0
  );
}

/**
 * A launcher Playwright runs as "the browser": it enters a new network namespace, brings up its
 * loopback, starts a TCP→unix-socket bridge there for the proxy, then runs Chromium. The bridge
 * must not hold Playwright's pipe (fds 3 and 4) or the browser's exit would go unnoticed.
 */
function writeIsolatingLauncher(dir: string, socket: string): string {
  const bridge = `require('net').createServer((c) => { const u = require('net').connect(${JSON.stringify(socket)});
    c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
    .listen(${PROXY_PORT}, '127.0.0.1', () => require('fs').writeFileSync(process.argv[1], ''));`;
  const ready = path.join(dir, 'bridge-ready');
  const launcher = path.join(dir, 'chromium-isolated');
  fs.writeFileSync(
    launcher,
    `#!/bin/sh
if [ -z "$PITSTOP_IN_NETNS" ]; then PITSTOP_IN_NETNS=1 exec unshare -n -- "$0" "$@"; fi
ip link set lo up || exit 1
${JSON.stringify(process.execPath)} -e ${shellQuote(bridge)} ${shellQuote(ready)} 3>&- 4>&- &
bridge=$!
for _ in $(seq 1 250); do [ -e ${shellQuote(ready)} ] && break; sleep 0.02; done
${shellQuote(CHROMIUM)} "$@"
code=$?
kill $bridge
exit $code
`,
    { mode: 0o755 },
  );
  return launcher;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** An HTTP forward proxy on a unix socket that reaches loopback addresses only. */
async function startProxy(socket: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400).end();
    }
    if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost')
      return void res.writeHead(403).end();
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
      },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return server;
}
