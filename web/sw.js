// tasklab's service worker (registered by web/isolation.js). At build time scripts/service-worker.sh writes it to
// the built folder as sw.js, with two constants before this text: VERSION, a hash of every file of the build, and
// FILES, their paths relative to this file.
//
// - Cross-origin isolation on any static host: every response of the app's own origin is given
//   `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, so the worker pool
//   may share memory even where the server sends no such headers.
// - Offline after the first visit: the build's files are cached on install in a cache named after VERSION; the
//   page (index.html, whatever the query) and the hashed files are served from that cache first, the network
//   only for what it lacks. A new build has another VERSION: it installs beside the old one and waits; the page
//   shows "A new version is ready" and, on Reload, tells it to take over ('skip-waiting'); on activation the
//   caches of older versions of this folder are deleted.
/* global VERSION, FILES */
'use strict';

const SCOPE = self.registration.scope;
const PREFIX = `tasklab ${SCOPE} `;
const CACHE = `${PREFIX}${VERSION}`;
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(FILES.map((file) => new Request(new URL(file, SCOPE).href, { cache: 'reload' })))));
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

/** The response with the cross-origin isolation headers added. */
function isolated(response) {
  if (response.status === 0) return response; // opaque or a redirect: nothing to add
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function respond(request) {
  const url = new URL(request.url);
  const cache = await caches.open(CACHE);
  const page = request.mode === 'navigate' && (url.href.split(/[?#]/)[0] === SCOPE || url.href.split(/[?#]/)[0] === INDEX);
  const cached = await cache.match(page ? INDEX : request);
  if (cached) return isolated(cached);
  return isolated(await fetch(request));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  // A request DevTools makes that fetch() would refuse.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(respond(request));
});
