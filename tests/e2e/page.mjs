// What every end-to-end test file needs to drive the built page: where it is, a fresh page that collects
// console errors, waiting for the worker pool and for a run's report, and axe-core's findings.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';

// TASKLAB_DIST tests another build than dist/ (e.g. one built with `trunk build --dist /tmp/…`).
export const DIST = process.env.TASKLAB_DIST ?? new URL('../../dist', import.meta.url).pathname;
export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
export const RUN_TIMEOUT = 60_000;
// axe-core, the accessibility rules engine, injected into the page under test.
export const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A fresh page of `browser` at `url` that collects console errors and uncaught exceptions. `serviceWorkers:
 * 'block'` emulates a browser without service workers (the page then cannot isolate itself on a plain host). */
export async function openPageIn(browser, url, { width = 1280, height = 1400, clipboard = false, serviceWorkers = 'allow' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, serviceWorkers });
  if (clipboard) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  }
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => {
    // wasm-bindgen-rayon's worker start-up prints this deprecation once per worker: harmless.
    if (message.type() === 'error' && !message.text().includes('deprecated parameters')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.waitForSelector('#run');
  return { page, errors, context };
}

export async function waitForPool(page) {
  await page.waitForFunction(() => !document.querySelector('#mode-multiprocessing')?.disabled, null, { timeout: 20_000 });
}

/** Waits for the report of the run under way and returns it parsed. */
export async function waitForReport(page) {
  const handle = await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: RUN_TIMEOUT, polling: 50 });
  return JSON.parse(await handle.jsonValue());
}

/** Clicks Run and returns the run's report. */
export async function clickRunAndWait(page) {
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click('#run');
  return waitForReport(page);
}

/** axe-core's serious and critical violations within `selector`, as "id: targets". */
export async function seriousViolations(page, selector = 'body') {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate((within) => window.axe.run(document.querySelector(within), { resultTypes: ['violations'] }), selector);
  return results.violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** Starts Chromium and a server of the built page (cross-origin isolated unless `isolated` is false) before the
 * file's tests, hands them to `onStart` as `{ browser, server }`, and closes both after the tests. The screenshots
 * folder is made too. */
export function useBrowserAndServer(onStart, { isolated = true } = {}) {
  let started;
  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    started = { browser: await launchChromium(), server: await serveDist(DIST, { isolated }) };
    onStart(started);
  });
  after(async () => {
    await started?.browser.close();
    await started?.server.close();
  });
}
