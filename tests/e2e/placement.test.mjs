// End-to-end tests of the placement choice in multiprocessing: jobs pinned by the policy, or a splittable phase's
// chunks placed by rayon's work stealing, with the report and the results saying how the work was placed.
// Run through `scripts/test.sh` (which builds dist/ first) or `npm test` here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickRunAndWait, openPageIn, waitForPool, waitForReport, useBrowserAndServer } from './page.mjs';

const STEALING_SENTENCE = /^Rayon's work stealing placed (\d+) chunks?: (\d+) ran on a worker other than the one that queued (them|it)\.$/;

let browser;
let server;
// Chromium and a server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server } = started));

/** A fresh page of the page's `query` that collects console errors and uncaught exceptions. */
function openPage(query) {
  return openPageIn(browser, `${server.url}?${query}`);
}


/** Checks a stealing run's report against the results panel, and returns the sentence's numbers. */
async function checkStealingRun(page, report, preset) {
  assert.equal(report.preset, preset);
  assert.equal(report.mode, 'multiprocessing');
  assert.equal(report.placement, 'stealing');
  assert.equal(report.stopped, false);
  assert.equal(report.checksums_agree, true, `${preset}: checksums verified`);
  assert.equal(typeof report.stolen_chunks, 'number');
  assert.equal(typeof report.forked_chunks, 'number');
  assert.ok(report.forked_chunks > 0, `${preset}: a splittable phase was forked`);
  assert.ok(report.stolen_chunks >= 0 && report.stolen_chunks <= report.forked_chunks);
  // Only the run's two workers ran anything (the pool's other threads, if any, were held).
  assert.ok(report.slices.every((slice) => slice.lane === 0 || slice.lane === 1));
  // Each chunk is one slice on the lane of the worker that ran it, drawn on the timeline.
  assert.ok(report.slices.length >= report.forked_chunks);
  assert.equal(await page.locator('#results .timeline rect.slice').count(), report.slices.length);
  await page.waitForSelector('#checksums-verdict.agree');
  const summary = page.locator('#placement-summary');
  assert.equal(await summary.isVisible(), true);
  const match = (await summary.innerText()).trim().match(STEALING_SENTENCE);
  assert.ok(match, `the sentence explains the placement: ${await summary.innerText()}`);
  assert.equal(Number(match[1]), report.forked_chunks);
  assert.equal(Number(match[2]), report.stolen_chunks);
}

describe('placement of multiprocessing work', () => {
  test('a stealing link runs with work stealing, reports stolen chunks and explains the placement', async () => {
    const { page, errors, context } = await openPage(
      'preset=one-big-job&mode=multiprocessing&workers=2&placement=stealing&run=1');
    const report = await waitForReport(page);
    assert.equal(await page.inputValue('#placement'), 'stealing');
    assert.equal(await page.isDisabled('#placement'), false);
    assert.equal(await page.locator('.notice').count(), 0);
    await checkStealingRun(page, report, 'one-big-job');
    // One splittable phase, cut into 2 workers x 4 chunks, and nothing else: every slice is a chunk.
    assert.equal(report.forked_chunks, 8);
    assert.equal(report.slices.length, 8);
    assert.ok(new URL(page.url()).searchParams.get('placement') === 'stealing', 'the link keeps the placement');

    // Amdahl: a serial hash chain (pinned: it cannot be split), then a fractal whose chunks are stolen.
    await page.selectOption('#preset', 'amdahl');
    const amdahl = await clickRunAndWait(page);
    await checkStealingRun(page, amdahl, 'amdahl');
    assert.equal(amdahl.forked_chunks, 8);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pinned is the default, stays out of links, and says each job was pinned', async () => {
    const { page, errors, context } = await openPage('preset=one-big-job&mode=multiprocessing&workers=2&placement=stealing');
    await waitForPool(page);
    await page.selectOption('#placement', 'pinned');
    await page.waitForFunction(() => !location.search.includes('placement'));
    const report = await clickRunAndWait(page);
    assert.equal(report.placement, 'pinned');
    assert.equal(report.stolen_chunks, 0);
    assert.equal(report.forked_chunks, 0);
    assert.equal(report.checksums_agree, true);
    assert.equal((await page.innerText('#placement-summary')).trim(), 'Each job was pinned to the worker the policy chose.');
    // The choice only matters to multiprocessing, like the workers.
    await page.check('#mode-multitasking');
    assert.equal(await page.isDisabled('#placement'), true);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a bad placement gives a notice naming the field and falls back to pinned', async () => {
    const { page, errors, context } = await openPage('preset=one-big-job&mode=multiprocessing&workers=2&placement=bogus');
    const fields = await page.locator('.notice').evaluateAll((items) => items.map((item) => item.dataset.field));
    assert.deepEqual(fields, ['placement']);
    assert.match(await page.locator('.notices').innerText(), /bogus/);
    assert.equal(await page.inputValue('#placement'), 'pinned');
    await waitForPool(page);
    const report = await clickRunAndWait(page);
    assert.equal(report.placement, 'pinned');
    assert.equal(report.checksums_agree, true);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
