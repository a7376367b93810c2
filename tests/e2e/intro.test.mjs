// End-to-end tests of the first minute (issue 11, parts 4 and 5): a cold visit shows "Try this" with three steps;
// following steps 1 and 2 runs the two chefs on one CPU and on two workers and marks the steps done; #run-story
// tells the measured speed-up with the report's own numbers; glossary terms explain themselves on keyboard focus
// (role=tooltip) and Escape hides them; the box can be hidden and shown again; Predict's advanced settings open by
// themselves from a link that sets one; axe-core finds nothing serious. Screenshots go to screenshots/intro-*.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOTS, openPageIn, seriousViolations, waitForPool, waitForReport, useBrowserAndServer } from './page.mjs';

let browser;
let isolated;
// Chromium and an isolated server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server: isolated } = started));

const stepDone = (page, step) => page.getAttribute(`#try-this li[data-step="${step}"]`, 'data-done');

/** Clicks a step of "Try this" and returns the report of the run it starts. */
async function followStep(page, step) {
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click(`#try-step-${step}`);
  return waitForReport(page);
}

describe('the first minute', () => {
  test('a cold visit shows Try this; steps 1 and 2 run and mark themselves; the story tells the speed-up', async () => {
    const { page, errors, context } = await openPageIn(browser, isolated.url, { width: 1280, height: 900 });
    await page.waitForSelector('#try-this');
    assert.equal(await page.locator('#try-this .try-step').count(), 3);
    for (const step of [1, 2, 3]) assert.equal(await stepDone(page, step), 'false');
    assert.match(await page.innerText('#try-this'), /What to look for/);
    // Predict's advanced settings start closed, with every control still there.
    assert.equal(await page.getAttribute('#predict-advanced', 'open'), null);
    for (const id of ['#switch-cost', '#ties', '#queues']) assert.equal(await page.locator(id).count(), 1, id);
    await page.screenshot({ path: `${SHOTS}intro-cold-1280.png` });
    assert.deepEqual(await seriousViolations(page), [], 'cold main view');

    await waitForPool(page);
    const oneCpu = await followStep(page, 1);
    assert.equal(oneCpu.preset, 'two-chefs');
    assert.equal(oneCpu.mode, 'multitasking');
    await page.waitForFunction(() => document.querySelector('#try-this li[data-step="1"]')?.dataset.done === 'true');
    assert.match(await page.innerText('#try-this li[data-step="1"]'), /✓/);
    assert.ok((await page.innerText('#run-story')).includes(`took ${await page.innerText('#wall-time')}`));

    const workers = await followStep(page, 2);
    assert.equal(workers.mode, 'multiprocessing');
    assert.equal(workers.workers, 2);
    await page.waitForFunction(() => document.querySelector('#try-this li[data-step="2"]')?.dataset.done === 'true');
    assert.ok(workers.speedup_vs_one_worker > 0, 'the report has a speed-up against step 1');
    const story = await page.innerText('#run-story');
    // The story's figures are the report's, rounded as the page rounds them (within half a unit of the last digit).
    const told = story.match(/2 workers finished in ([\d.]+ m?s) instead of ([\d.]+ m?s) on one CPU \(multitasking[^)]*\): speed-up ([\d.]+)×, efficiency (\d+) %/);
    assert.ok(told, story);
    const near = (text, ms) => {
      const [value, unit] = text.split(' ');
      return Math.abs((unit === 's' ? Number(value) * 1000 : Number(value)) - ms) <= (unit === 's' ? 5.01 : 0.051);
    };
    assert.ok(near(told[1], workers.wall_ms), `${told[1]} against ${workers.wall_ms}`);
    assert.ok(near(told[2], oneCpu.wall_ms), `${told[2]} against ${oneCpu.wall_ms}`);
    assert.ok(Math.abs(Number(told[3]) - workers.speedup_vs_one_worker) <= 0.0051, `${told[3]} against ${workers.speedup_vs_one_worker}`);
    assert.ok(Math.abs(Number(told[4]) - (workers.speedup_vs_one_worker / 2) * 100) <= 0.51, `efficiency ${told[4]} %`);
    assert.ok(story.includes(await page.innerText('#wall-time')), 'the same wall time as the figure above');
    assert.match(story, /frames/);
    assert.ok(['faster', 'slower'].includes(await page.getAttribute('#run-story', 'data-story')));
    await page.locator('#results').screenshot({ path: `${SHOTS}intro-run-story.png` });
    assert.deepEqual(await seriousViolations(page), [], 'main view after the two runs');

    // Step 3: the Compare view's runs table holds both runs.
    await page.click('#try-step-3');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'compare');
    assert.ok(await page.locator('#runs-table tbody tr').count() >= 2);
    assert.equal(await stepDone(page, 3), 'true');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a term explains itself on focus and hover; Escape hides it', async () => {
    const { page, errors, context } = await openPageIn(browser, isolated.url, { width: 1280, height: 900 });
    const quantum = page.locator('.term[data-term="quantum"]').first();
    const tip = page.locator(`#${await quantum.getAttribute('aria-describedby')}`);
    assert.equal(await tip.getAttribute('role'), 'tooltip');
    assert.equal(await tip.isVisible(), false);
    await quantum.focus();
    await tip.waitFor({ state: 'visible' });
    assert.match(await tip.innerText(), /Quantum: .*For example/);
    await page.keyboard.press('Escape');
    await tip.waitFor({ state: 'hidden' });
    // Keyboard only: Tab reaches a term and shows it again.
    await quantum.blur();
    await quantum.focus();
    await tip.waitFor({ state: 'visible' });
    await quantum.blur();
    await tip.waitFor({ state: 'hidden' });
    // Hover works too, on a figure's label in Predict.
    const makespan = page.locator('#predict .term[data-term="makespan"]');
    await makespan.hover();
    await page.locator(`#${await makespan.getAttribute('aria-describedby')}`).waitFor({ state: 'visible' });
    for (const id of ['slice', 'quantum', 'makespan', 'turnaround', 'response', 'waiting', 'speed-up', 'efficiency', 'context-switch', 'preemption', 'utilisation']) {
      assert.ok(await page.locator(`.term[data-term="${id}"]`).count() >= 1, id);
    }
    assert.deepEqual(await seriousViolations(page), [], 'with a tooltip shown');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('Try this can be hidden, stays hidden on the next visit, and comes back', async () => {
    const { page, errors, context } = await openPageIn(browser, isolated.url, { width: 390, height: 844 });
    await page.waitForSelector('#try-this');
    await page.screenshot({ path: `${SHOTS}intro-cold-390.png` });
    await page.click('#try-this-dismiss');
    await page.waitForSelector('#try-this-open');
    assert.equal(await page.locator('#try-this').count(), 0);
    await page.reload();
    await page.waitForSelector('#try-this-open');
    assert.equal(await page.locator('#try-this').count(), 0);
    await page.click('#try-this-open');
    await page.waitForSelector('#try-this');
    await page.reload();
    await page.waitForSelector('#try-this');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a link that sets an advanced setting opens Predict's advanced settings", async () => {
    const { page, errors, context } = await openPageIn(browser, `${isolated.url}?switch=2`, { width: 1280, height: 900 });
    await page.waitForSelector('#predict-advanced[open]');
    assert.equal(await page.inputValue('#switch-cost'), '2');
    assert.ok(await page.locator('#switch-cost').isVisible());
    assert.match(await page.innerText('#predict-advanced summary'), /changed/);
    // Back to the default, it stays open: it does not close under the person's hands.
    await page.fill('#switch-cost', '0');
    await page.press('#switch-cost', 'Tab');
    await page.waitForFunction(() => !new URLSearchParams(location.search).has('switch'));
    assert.notEqual(await page.getAttribute('#predict-advanced', 'open'), null);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
