// Cross-origin isolation and offline use on any static host, before the app starts (a classic script in the
// page's <head>, so it runs before the WebAssembly module).
//
// The worker pool needs shared memory, which browsers allow only in a cross-origin-isolated page (COOP/COEP
// headers). A plain static host sends no such headers, so the page registers its service worker (sw.js, next to
// index.html), which serves the app's files from its cache with those headers, and reloads once. It publishes
// what happened on `window.tasklabIsolation` = { state, why, detail } and fires `tasklab-isolation` on window:
//   state 'isolated'     the page is isolated (by the server's headers or by the service worker);
//         'pending'      the service worker is being installed, the page reloads when it is ready;
//         'unavailable'  no isolation: `why` is 'file', 'insecure', 'unsupported', 'refused', 'timeout' or
//                        'still-not-isolated' (the page's notice explains each, web/src/isolation.rs).
// When a new version of the app has been cached, `window.tasklabUpdateReady` becomes true and
// `tasklab-update-ready` fires; `window.tasklabApplyUpdate()` switches to it and reloads.
(() => {
  'use strict';
  const FLAG = 'tasklab-isolation-reload';
  const WAIT_MS = 15000;
  const report = (state, why = '', detail = '') => {
    window.tasklabIsolation = { state, why, detail: String(detail) };
    window.dispatchEvent(new Event('tasklab-isolation'));
  };
  const session = {
    get() { try { return sessionStorage.getItem(FLAG); } catch { return 'no storage'; } },
    set() { try { sessionStorage.setItem(FLAG, '1'); return true; } catch { return false; } },
    clear() { try { sessionStorage.removeItem(FLAG); } catch { /* nothing to clear */ } },
  };

  let waiting = null;
  window.tasklabUpdateReady = false;
  window.tasklabApplyUpdate = () => {
    if (!waiting) { location.reload(); return; }
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
    waiting.postMessage('skip-waiting');
  };
  const announce = (worker) => {
    waiting = worker;
    window.tasklabUpdateReady = true;
    window.dispatchEvent(new Event('tasklab-update-ready'));
  };
  // A new version installed while this one controls the page waits for the person's "reload".
  const watchUpdates = (registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) announce(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) announce(worker);
      });
    });
  };
  const register = () => navigator.serviceWorker.register('./sw.js').then((registration) => {
    if (!registration) throw new Error('the browser did not register it');
    watchUpdates(registration);
    return registration;
  });

  const unsupported = location.protocol === 'file:' ? 'file'
    : !window.isSecureContext ? 'insecure'
      : !('serviceWorker' in navigator) ? 'unsupported' : '';

  if (window.crossOriginIsolated) {
    session.clear();
    report('isolated');
    // Only for offline use and updates: after the page has loaded, so it does not compete with it.
    if (!unsupported) {
      window.addEventListener('load', () => register().catch((error) => console.warn('tasklab: no offline copy:', error)));
    }
  } else if (unsupported) {
    report('unavailable', unsupported);
  } else if (session.get()) {
    // Reloaded once already and still not isolated: no second reload (no loop); the notice says why.
    session.clear();
    report('unavailable', 'still-not-isolated');
    register().catch(() => {});
  } else {
    report('pending');
    const timer = setTimeout(() => report('unavailable', 'timeout'), WAIT_MS);
    const fail = (error) => { clearTimeout(timer); report('unavailable', 'refused', error?.message ?? error); };
    register().then((registration) => {
      const worker = registration.installing ?? registration.waiting;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'redundant') fail(new Error('it failed to install'));
      });
      return navigator.serviceWorker.ready;
    }).then(() => {
      if (window.tasklabIsolation.state !== 'pending') return;
      clearTimeout(timer);
      if (!session.set()) { report('unavailable', 'refused', 'no session storage to guard the reload'); return; }
      location.reload();
    }).catch(fail);
  }
})();
