import { version } from './version.js';

/** Asks the API for its version; an unreachable API is shown on the page, not thrown. */
async function fetchApi(apiUrl) {
  try {
    const res = await fetch(`${apiUrl}/`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return { error: `api answered ${res.status}` };
    return await res.json();
  } catch (err) {
    return { error: `api unreachable at ${apiUrl}: ${err.message}` };
  }
}

const escapeHtml = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

export async function renderHome(apiUrl) {
  const api = await fetchApi(apiUrl);
  const apiLine = api.error
    ? `<p class="error">${escapeHtml(api.error)}</p>`
    : `<p>api <b>${escapeHtml(api.version)}</b> says: ${escapeHtml(api.greeting)}</p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>pitstop quickstart</title></head>
<body>
  <h1>pitstop quickstart</h1>
  <p>web <b>${escapeHtml(version)}</b></p>
  ${apiLine}
</body>
</html>
`;
}
