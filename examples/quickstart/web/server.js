// The quickstart web front: plain node:http, no dependencies. Request handling lives in src/
// so that editing it is a source sync + process restart, never a rebuild.
import { createServer } from 'node:http';
import { handle } from './src/routes.js';

const port = Number(process.env.PORT ?? 8082);
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:8081';
// Loopback on the host; in a container pitstop sets HOST=0.0.0.0 so the published port reaches it.
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  handle(req, res, { apiUrl }).catch((err) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`internal error: ${err.message}\n`);
  });
});

server.listen(port, host, () => {
  console.log(`web listening on http://${host}:${port} (api at ${apiUrl})`);
});

// Close at once on SIGTERM so a restart frees the port without waiting for idle sockets.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
