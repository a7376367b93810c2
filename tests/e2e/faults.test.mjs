// End-to-end tests of faults (issue 12, part 3): a tab hidden in the middle of a run is flagged, a worker job that
// crashes ends the run with a message naming its task and the next run works, a pool whose workers cannot start
// leaves multitasking working with a message, and a run past its watchdog is stopped with a message.
// Run through `scripts/test.sh` (which builds dist/ first) or `npm test` here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickRunAndWait, openPageIn, waitForPool, waitForReport, useBrowserAndServer } from './page.mjs';

let browser;
let server;
// Chromium and a server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server } = started));

/** Makes the page believe it is hidden (a background tab) or visible again, as the browser would tell it. */
async function emulateHidden(page, hidden) {
  await page.evaluate((isHidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => isHidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (isHidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

describe('faults', () => {
  test('a tab hidden in the middle of a run is flagged in the page and in the report', async () => {
    const { page, errors, context } = await openPageIn(browser, `${server.url}?preset=cpu-batch&mode=multitasking`);
    await page.evaluate(() => { window.tasklabLastRun = undefined; });
    await page.click('#run');
    await page.waitForTimeout(150);
    await emulateHidden(page, true);
    await page.waitForTimeout(100);
    await emulateHidden(page, false);
    const report = await waitForReport(page);
    assert.equal(report.page_was_hidden, true);
    assert.match(await page.locator('#hidden-warning').textContent(), /background tab/);
    // A run that stays visible is not flagged.
    const next = await clickRunAndWait(page);
    assert.equal(next.page_was_hidden, false);
    assert.equal(await page.locator('#hidden-warning').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a worker job that crashes ends the run with a message naming its task; the next run works', async () => {
    const { page, context } = await openPageIn(browser, `${server.url}?preset=cpu-batch&mode=multiprocessing&workers=2`);
    await waitForPool(page);
    // Tests only: the next job of task 2 panics on its worker (which traps and kills that worker thread).
    await page.evaluate(() => { window.tasklabTestPanicInTask = 1; });
    const crashed = await clickRunAndWait(page);
    const name = crashed.tasks[1].name;
    assert.equal(crashed.stopped, true);
    assert.ok(crashed.failure.includes(`\u201c${name}\u201d crashed on worker`), crashed.failure);
    assert.match(crashed.failure, /injected by a test/);
    const notice = page.locator('#run-failure');
    assert.equal(await notice.getAttribute('role'), 'alert');
    assert.ok((await notice.textContent()).includes(name));
    // The page is still usable, and the next run on 2 workers (a spare thread replacing the lost one) is right.
    const next = await clickRunAndWait(page);
    assert.equal(next.failure, undefined);
    assert.equal(next.stopped, false);
    assert.equal(next.checksums_agree, true);
    assert.equal(await page.locator('#run-failure').count(), 0);
    // Rayon's work stealing too: it holds the pool's other threads, never the lost one (which would never answer).
    await page.selectOption('#placement', 'stealing');
    const stealing = await clickRunAndWait(page);
    assert.equal(stealing.placement, 'stealing');
    assert.equal(stealing.checksums_agree, true);
    await context.close();
  });

  test('a run past its watchdog is stopped with a message, and the next run is not', async () => {
    const { page, errors, context } = await openPageIn(browser, `${server.url}?preset=cpu-batch&mode=multitasking`);
    // Tests only: a limit of 200 ms for the next run (cpu-batch takes several times that).
    await page.evaluate(() => { window.tasklabTestWatchdogMs = 200; });
    const stopped = await clickRunAndWait(page);
    assert.equal(stopped.stopped, true);
    assert.match(stopped.failure, /^Stopped by the watchdog after 0\.2 s/);
    assert.ok(stopped.wall_ms < 1_500, `stopped after ${stopped.wall_ms} ms`);
    assert.match(await page.locator('#run-failure').textContent(), /watchdog/);
    const next = await clickRunAndWait(page);
    assert.equal(next.stopped, false);
    assert.equal(next.failure, undefined);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('workers that never start give a message after the time limit, and multitasking still runs', async () => {
    // Workers that never answer (a blocked script looks the same to the page): the pool would wait for ever.
    const context = await browser.newContext({ viewport: { width: 1280, height: 1200 }, serviceWorkers: 'block' });
    await context.addInitScript(() => {
      window.Worker = class {
        postMessage() {}
        addEventListener() {}
        removeEventListener() {}
        terminate() {}
      };
    });
    const page = await context.newPage();
    await page.goto(`${server.url}?preset=two-chefs&mode=multitasking`);
    await page.waitForSelector('#run');
    await page.waitForFunction(() => /did not start within 20 seconds/.test(document.body.innerText), null, { timeout: 40_000 });
    assert.equal(await page.locator('#mode-multiprocessing').isDisabled(), true);
    const report = await clickRunAndWait(page);
    assert.equal(report.mode, 'multitasking');
    assert.equal(report.checksums_agree, true);
    await context.close();
  });
});
