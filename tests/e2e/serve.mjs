// A tiny static server for the built page (dist/), with or without the cross-origin isolation headers.
// Used by the end-to-end tests and the benchmark; `trunk serve` is what people use to run the page.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** Starts a server on 127.0.0.1 (port 0 = any free port); resolves to { url, close }. `base` serves the folder
 * under a sub-path (e.g. '/tasklab/', as on a shared static host): `url` is then that sub-path's address. */
export function serveDist(distDir, { isolated = true, port = 0, base = '/' } = {}) {
  const root = resolve(distDir);
  const server = createServer(async (request, response) => {
    const full = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (`${full}/` === base) { response.writeHead(301, { Location: base }).end(); return; }
    if (!full.startsWith(base)) { response.writeHead(404).end('not found'); return; }
    const path = full.slice(base.length - 1);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { response.writeHead(403).end(); return; }
    if (path.endsWith('/')) file = join(file, 'index.html');
    try {
      const body = await readFile(file);
      const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (isolated) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((done) => {
    server.listen(port, '127.0.0.1', () => {
      done({ url: `http://127.0.0.1:${server.address().port}${base}`, close: () => new Promise((closed) => server.close(closed)) });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const isolated = !process.argv.includes('--no-isolation');
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await serveDist(new URL('../../dist', import.meta.url).pathname, { isolated, port });
  console.log(`serving dist/ at ${url} (${isolated ? 'cross-origin isolated' : 'no COOP/COEP headers'})`);
}
