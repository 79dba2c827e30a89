// Talks to a running `pitstop up` through its control socket.
import http from 'node:http';
import { PitstopError } from '../errors.js';

export async function request<T>(socket: string, method: 'GET' | 'POST', path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return reject(new PitstopError(`unexpected answer from pitstop: ${body.slice(0, 200)}`));
        }
        const error = parsed as { error?: string; hint?: string; exitCode?: number };
        if ((res.statusCode ?? 500) >= 400) {
          return reject(
            new PitstopError(error.error ?? 'request failed', { hint: error.hint, exitCode: error.exitCode }),
          );
        }
        resolve(parsed as T);
      });
    });
    req.on('error', (err) =>
      reject(
        new PitstopError(`cannot reach the running pitstop at ${socket}: ${err.message}`, {
          hint: 'is `pitstop up` still running? `pitstop down` cleans up after a crashed session',
          exitCode: 4,
        }),
      ),
    );
    req.end();
  });
}
