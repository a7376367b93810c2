// End-to-end tests of the small things a careful user hits (issue 9, part 6): the real progress and "—" checksums
// after Stop, the focus moving to Stop and back, Escape stopping a run, controls that do nothing in the chosen mode
// disabled with their reason, the gallery's pressed preset, timelines as labelled images, a visible focus ring, and
// axe-core on the main view after a stopped run. Screenshots at 1280 and 390 px go to screenshots/ui-details-*.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_TIMEOUT, SHOTS, clickRunAndWait, openPageIn, seriousViolations, waitForPool, waitForReport, useBrowserAndServer } from './page.mjs';


let browser;
let isolated;
// Chromium and an isolated server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server: isolated } = started));

/** A fresh page that collects console errors and uncaught exceptions. */
function openPage(url, options) {
  return openPageIn(browser, url, options);
}


/** Clicks Run (or presses Enter on it) and returns once the live bars show some progress (so a Stop then lands
 * mid-run). */
async function startRun(page, { keyboard = false } = {}) {
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  if (keyboard) {
    await page.focus('#run');
    await page.keyboard.press('Enter');
  } else {
    await page.click('#run');
  }
  await page.waitForFunction(
    () => [...document.querySelectorAll('.progress progress')].some((bar) => Number(bar.value) > 0.05),
    null, { timeout: RUN_TIMEOUT, polling: 20 });
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** The text of the element that describes a control (aria-describedby), with whether it is visible. */
async function description(page, selector) {
  return page.evaluate((selector) => {
    const control = document.querySelector(selector);
    const ids = (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    const hints = ids.map((id) => document.getElementById(id)).filter(Boolean);
    const visible = hints.length > 0 && hints.every((hint) => hint.getClientRects().length > 0);
    return { text: hints.map((hint) => hint.textContent.trim()).join(' '), visible };
  }, selector);
}

describe('small things a careful user hits', () => {
  for (const width of [1280, 390]) {
    test(`Stop shows each task's real progress and "—" for unfinished checksums; focus goes to Stop and back (${width} px)`, async () => {
      const { page, errors, context } = await openPage(`${isolated.url}?preset=cpu-batch&mode=multitasking`, { width });
      // From the keyboard, so the focus ring shows where the focus went.
      await startRun(page, { keyboard: true });
      assert.equal(await activeId(page), 'stop', 'focus moved to Stop when Run disabled itself');
      assert.equal(await page.evaluate(() => document.activeElement.matches(':focus-visible')), true);
      await page.locator('.controls').screenshot({ path: `${SHOTS}ui-details-controls-stop-${width}.png` });
      await page.click('#stop');
      const report = await waitForReport(page);
      assert.equal(report.stopped, true);
      await page.waitForSelector('#results');
      await page.waitForFunction(() => document.activeElement?.id === 'run', null, { timeout: 5_000 });

      // Progress: the bars keep where each task got to.
      const bars = await page.locator('.progress progress').evaluateAll((items) => items.map((bar) => Number(bar.value)));
      const percents = await page.locator('.progress .percent').allInnerTexts();
      assert.equal(bars.length, report.tasks.length);
      const unfinished = report.tasks.map((task, index) => (task.end_ms === null ? index : -1)).filter((index) => index >= 0);
      assert.ok(unfinished.length > 0, 'Stop came before the end');
      for (const [index, task] of report.tasks.entries()) {
        if (task.end_ms !== null) assert.equal(bars[index], 1, `${task.name} finished`);
      }
      const started = unfinished.filter((index) => report.tasks[index].first_run_ms !== null);
      assert.ok(started.length > 0, 'some unfinished task had started');
      for (const index of started) {
        assert.ok(bars[index] > 0 && bars[index] < 1, `${report.tasks[index].name}: progress ${bars[index]}`);
      }
      assert.ok(percents.some((text) => text !== '0%' && text !== '100%'), `percents after Stop: ${percents}`);

      // Checksums: "—" for unfinished tasks, and no reference for a stopped run; never sixteen zeros.
      const rows = await page.locator('#results .task-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
      assert.equal(rows.length, report.tasks.length);
      for (const [index, cells] of rows.entries()) {
        const [, , finish, checksum, reference] = cells;
        if (unfinished.includes(index)) {
          assert.equal(finish, 'stopped');
          assert.equal(checksum, '—', `row ${index}: ${cells}`);
          assert.equal(report.tasks[index].checksum, null, 'the report has no checksum for an unfinished task');
        } else {
          assert.match(checksum, /^[0-9a-f]{16}$/);
          assert.equal(report.tasks[index].checksum, checksum);
        }
        assert.equal(reference, '—', 'a stopped run is not checked');
        assert.notEqual(checksum, '0000000000000000');
      }
      await page.locator('#results').screenshot({ path: `${SHOTS}ui-details-results-after-stop-${width}.png` });
      await page.locator('.progress').screenshot({ path: `${SHOTS}ui-details-progress-after-stop-${width}.png` });

      // axe-core on the main view after the stopped run. At 390 px Predict's task table scrolls sideways in a
      // box that cannot take the focus yet (`.table-scroll` in panels/predict.rs, scrollable-region-focusable).
      if (width === 1280) assert.deepEqual(await seriousViolations(page, 'main'), [], 'main view after a stopped run');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test('Escape stops a run, also while typing in the reply box, which keeps the focus', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}?preset=cpu-batch&mode=multitasking`);
    await startRun(page);
    await page.keyboard.press('Escape');
    const report = await waitForReport(page);
    assert.equal(report.stopped, true, 'Escape on Stop');
    await page.waitForFunction(() => document.activeElement?.id === 'run');

    await startRun(page);
    await page.focus('#reply');
    await page.keyboard.type('On my way');
    await page.keyboard.press('Escape');
    const fromReply = await waitForReport(page);
    assert.equal(fromReply.stopped, true, 'Escape in the reply box');
    assert.equal(await activeId(page), 'reply', 'the end of a run does not take the focus from the reply box');

    // Escape with no run in progress does nothing, and a run after it goes to its end.
    await page.keyboard.press('Escape');
    await page.focus('#run');
    const full = await clickRunAndWait(page);
    assert.equal(full.stopped, false);
    assert.equal(full.checksums_agree, true);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('controls that do nothing in the chosen mode are disabled, with their reason visible', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}?preset=cpu-batch&mode=multitasking`);
    // Multitasking: workers and placement are for multiprocessing; the slice is this mode's own.
    assert.equal(await page.isDisabled('#workers'), true);
    assert.equal(await page.isDisabled('#placement'), true);
    assert.equal(await page.isDisabled('#slice'), false);
    const workers = await description(page, '#workers');
    assert.match(workers.text, /multiprocessing/i);
    assert.ok(workers.visible, 'the reason is on the page, not only in a tooltip');
    assert.equal((await description(page, '#placement')).text, workers.text);
    assert.match(await page.getAttribute('#workers', 'title'), /multiprocessing/i);
    assert.equal(await page.getAttribute('#slice', 'aria-describedby'), null);

    await waitForPool(page);
    await page.check('#mode-multiprocessing');
    assert.equal(await page.isDisabled('#workers'), false);
    assert.equal(await page.isDisabled('#slice'), true);
    const slice = await description(page, '#slice');
    assert.match(slice.text, /workers/);
    assert.ok(slice.visible);
    assert.equal(await page.getAttribute('#workers', 'aria-describedby'), null);
    await page.locator('.controls').screenshot({ path: `${SHOTS}ui-details-multiprocessing-controls.png` });

    // Single thread never yields: neither the slice nor workers do anything.
    await page.check('#mode-single-thread');
    assert.equal(await page.isDisabled('#slice'), true);
    assert.match((await description(page, '#slice')).text, /never yields/);
    assert.equal(await page.isDisabled('#workers'), true);
    assert.deepEqual(await seriousViolations(page, '.controls'), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the gallery marks the chosen preset with aria-pressed', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}?preset=two-chefs`);
    await page.click('#gallery summary');
    const pressed = () => page.locator('#gallery .card').evaluateAll((cards) =>
      Object.fromEntries(cards.map((card) => [card.dataset.preset, card.getAttribute('aria-pressed')])));
    const before = await pressed();
    assert.equal(before['two-chefs'], 'true');
    assert.ok(Object.keys(before).length >= 9);
    assert.ok(Object.entries(before).every(([preset, value]) => value === (preset === 'two-chefs' ? 'true' : 'false')), JSON.stringify(before));
    await page.click('.card[data-preset="convoy"]');
    await page.waitForFunction(() => document.querySelector('.card[data-preset="convoy"]')?.getAttribute('aria-pressed') === 'true');
    const after = await pressed();
    assert.ok(Object.entries(after).every(([preset, value]) => value === (preset === 'convoy' ? 'true' : 'false')), JSON.stringify(after));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('timelines are images with a label saying what they show', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}?preset=two-chefs&mode=multitasking`);
    await clickRunAndWait(page);
    const svgs = await page.locator('figure.timeline svg').evaluateAll((items) =>
      items.map((svg) => ({ role: svg.getAttribute('role'), label: svg.getAttribute('aria-label') ?? '', inResults: Boolean(svg.closest('#results')) })));
    assert.ok(svgs.some((svg) => svg.inResults), 'the run has a timeline');
    for (const svg of svgs) {
      assert.equal(svg.role, 'img');
      assert.match(svg.label, /timeline of \d+ lanes? over [\d.]+ (ms|ticks)$/, svg.label);
    }
    const results = svgs.find((svg) => svg.inResults);
    assert.match(results.label, /^Two chefs/i, results.label);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the focus ring is a clearly visible 3 px outline on buttons, inputs, selects and summaries', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}?preset=cpu-batch&mode=multitasking`);
    const ring = (selector) => page.evaluate((selector) => {
      const element = document.querySelector(selector);
      const style = getComputedStyle(element);
      return { visible: element.matches(':focus-visible'), width: style.outlineWidth, style: style.outlineStyle, colour: style.outlineColor };
    }, selector);
    // Keyboard focus: Tab from the element before each control.
    for (const selector of ['#run', '#preset', '#reply', '#gallery summary', '#slice']) {
      // From the control before it with Tab, or (the first control) from the one after it with Shift+Tab.
      const key = await page.evaluate((selector) => {
        // Everything in the Tab order, glossary terms (tabindex=0) included.
        const elements = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [tabindex="0"]')].filter((element) => !element.disabled);
        const index = elements.indexOf(document.querySelector(selector));
        if (index > 0) {
          elements[index - 1].focus();
          return 'Tab';
        }
        elements[index + 1].focus();
        return 'Shift+Tab';
      }, selector);
      await page.keyboard.press(key);
      const seen = await ring(selector);
      assert.equal(seen.visible, true, `${selector} has keyboard focus`);
      assert.equal(seen.width, '3px', `${selector}: ${JSON.stringify(seen)}`);
      assert.equal(seen.style, 'solid');
      assert.equal(seen.colour, 'rgb(29, 35, 41)');
    }
    await page.evaluate(() => document.querySelector('#run').focus());
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.locator('.controls .run-row').screenshot({ path: `${SHOTS}ui-details-focus-ring-run.png` });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
