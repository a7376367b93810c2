// The built folder on a plain static host (issue 12): served with NO cross-origin isolation headers, the page's
// service worker (sw.js) adds them and the page reloads once, isolated, and runs multiprocessing; a second visit
// works offline from its cache; the folder works under a sub-path; a new build is announced ("A new version is
// ready — reload"). Run against a build with TASKLAB_DIST=/tmp/… or dist/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';
import { DIST, clickRunAndWait, waitForPool } from './page.mjs';

let browser;
let plain;

before(async () => {
  browser = await launchChromium();
  plain = await serveDist(DIST, { isolated: false });
});

after(async () => {
  await browser?.close();
  await plain?.close();
});

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** A fresh context and page that collects console errors and counts the main frame's loads. */
async function freshPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1400 }, ...options });
  const page = await context.newPage();
  const errors = [];
  const loads = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('deprecated parameters')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('load', () => loads.push(page.url()));
  return { context, page, errors, loads };
}

/** Waits (across the service worker's reload) until the page is cross-origin isolated, controlled and drawn. */
async function waitForIsolatedPage(page, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      const ready = await page.evaluate(() => crossOriginIsolated && Boolean(navigator.serviceWorker.controller)
        && Boolean(document.querySelector('#run')));
      if (ready) return;
    } catch {
      // The page is reloading: its context went away; try again.
    }
    await sleep(100);
  }
  assert.fail(`not isolated after ${timeout} ms: ${await page.evaluate(() => JSON.stringify(window.tasklabIsolation)).catch(String)}`);
}

/** The per-task checksums of a report. */
const checksums = (report) => report.tasks.map((task) => task.checksum);

describe('the built folder on a plain static host (no COOP/COEP headers)', () => {
  test('the service worker isolates the page after one reload; multiprocessing on 2 workers agrees with multitasking; a second visit works offline', async () => {
    const { context, page, errors, loads } = await freshPage();
    await page.goto(`${plain.url}?preset=cpu-batch&mode=multiprocessing&workers=2`);
    await waitForIsolatedPage(page);
    assert.equal(loads.length, 2, `one reload: ${loads.join(', ')}`);
    assert.equal(await page.evaluate(() => window.tasklabIsolation.state), 'isolated');
    // The mode the link asked for survived the reload (it was not given up while the page waited).
    assert.match(page.url(), /mode=multiprocessing/);
    await waitForPool(page);
    assert.equal(await page.isChecked('#mode-multiprocessing'), true);
    assert.equal(await page.locator('.notice[data-field="mode"]').count(), 0);

    const parallel = await clickRunAndWait(page);
    assert.equal(parallel.mode, 'multiprocessing');
    assert.equal(parallel.checksums_agree, true);
    const lanes = new Set(parallel.slices.map((slice) => slice.lane));
    assert.equal(lanes.size, 2, `2 workers used: lanes ${[...lanes]}`);
    await page.click('#mode-multitasking');
    const single = await clickRunAndWait(page);
    assert.equal(single.mode, 'multitasking');
    assert.equal(single.checksums_agree, true);
    assert.deepEqual(checksums(parallel), checksums(single), 'the same work on 2 workers and on one CPU');

    // Second visit, with the network off: everything comes from the service worker's cache.
    await context.setOffline(true);
    await page.goto(`${plain.url}?preset=two-chefs&mode=multiprocessing&workers=2`);
    await waitForIsolatedPage(page);
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    await page.waitForSelector('#predicted-makespan');
    assert.match(await page.innerText('#predicted-makespan'), /\d/);
    await waitForPool(page);
    const offlineParallel = await clickRunAndWait(page);
    assert.equal(offlineParallel.mode, 'multiprocessing');
    assert.equal(offlineParallel.checksums_agree, true);
    await page.click('#mode-multitasking');
    const offlineSingle = await clickRunAndWait(page);
    assert.equal(offlineSingle.checksums_agree, true);
    assert.deepEqual(checksums(offlineParallel), checksums(offlineSingle));
    assert.equal(await page.locator('#update-ready').count(), 0, 'no update notice without a new build');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the folder works as-is under a sub-path (https://host/tasklab/)', async () => {
    const sub = await serveDist(DIST, { isolated: false, base: '/tasklab/' });
    const { context, page, errors } = await freshPage();
    const failed = [];
    page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`); });
    await page.goto(sub.url.replace(/\/$/, '')); // without the trailing slash: the host redirects, as most do
    await waitForIsolatedPage(page);
    assert.ok(new URL(page.url()).pathname.startsWith('/tasklab/'));
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(new URL(scope).pathname, '/tasklab/');
    await waitForPool(page);
    await page.click('#mode-multiprocessing');
    const report = await clickRunAndWait(page);
    assert.equal(report.mode, 'multiprocessing');
    assert.equal(report.checksums_agree, true);
    assert.deepEqual(failed, []);
    assert.deepEqual(errors, []);
    await context.close();
    await sub.close();
  });

  test('opened from a file (file://), the page says to serve the folder instead', async () => {
    const { context, page } = await freshPage();
    await page.goto(`file://${join(DIST, 'index.html')}`);
    await page.waitForSelector('#file-notice', { state: 'visible' });
    assert.match(await page.innerText('#file-notice'), /file:\/\/.*Serve the folder over http\(s\)/s);
    await context.close();
  });

  test('a new build is cached beside the old one and announced: "A new version is ready — reload"', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tasklab-update-'));
    await cp(DIST, folder, { recursive: true });
    const server = await serveDist(folder, { isolated: false });
    const { context, page, errors } = await freshPage();
    await page.goto(server.url);
    await waitForIsolatedPage(page);
    const cacheNames = () => page.evaluate(() => caches.keys());
    const [oldCache] = await cacheNames();
    assert.match(oldCache, /^tasklab /);

    // "Deploy" a new build: another version of sw.js (as a changed file would give).
    const sw = join(folder, 'sw.js');
    const source = await readFile(sw, 'utf8');
    const version = source.match(/const VERSION = "([0-9a-f]+)"/)[1];
    await writeFile(sw, source.replace(`const VERSION = "${version}"`, 'const VERSION = "0000000000000000"'));
    await page.reload();
    await page.waitForSelector('#update-ready', { timeout: 20_000 });
    assert.match(await page.innerText('#update-ready'), /A new version is ready — reload/);
    assert.deepEqual((await cacheNames()).sort(), [oldCache, oldCache.replace(version, '0000000000000000')].sort());
    await page.click('#update-ready button');
    await page.waitForFunction(() => navigator.serviceWorker.controller && !document.querySelector('#update-ready'), null, { timeout: 20_000 });
    await waitForIsolatedPage(page);
    assert.deepEqual(await cacheNames(), [oldCache.replace(version, '0000000000000000')], 'the old version is gone');
    assert.deepEqual(errors, []);
    await context.close();
    await server.close();
    await rm(folder, { recursive: true, force: true });
  });
});
