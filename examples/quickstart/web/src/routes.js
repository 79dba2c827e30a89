import { renderHome } from './home.js';
import { version } from './version.js';

/** Dispatches one request; every route writes its own response. */
export async function handle(req, res, config) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  if (path === '/version') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${version}\n`);
    return;
  }
  if (path === '/') {
    const html = await renderHome(config.apiUrl);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}
