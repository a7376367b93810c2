// "Reply while it runs" (issue 9, part 2): keys typed in the reply box during a run are measured in the page (from
// the key event's timestamp to the frame that draws it) and reported as `input_latency_ms`. Typing during a run
// that never yields must wait far longer than typing during multitasking or multiprocessing.
// Run through `scripts/test.sh` (which builds dist/ first) or `npm test` here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AXE, openPageIn, waitForPool, waitForReport, useBrowserAndServer } from './page.mjs';

// Typed one key at a time, a little apart, the way a person replies to a text.
const REPLY = 'on my way, see you soon ';
const KEY_GAP_MS = 40;
// Typing starts this long after Run, once the executor has surely started (it waits one frame to begin).
const TYPE_AFTER_MS = 150;

let browser;
let server;
// Chromium and a server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server } = started));

/** A fresh page that collects console errors and uncaught exceptions. */
function openPage(url, { width = 1200, height = 1400 } = {}) {
  return openPageIn(browser, url, { width, height });
}


/** Starts a run with the reply box focused (Run is clicked from script, so the focus stays in the box). */
async function startRun(page) {
  await page.focus('#reply');
  await page.evaluate(() => {
    window.tasklabLastRun = undefined;
    document.querySelector('#run').click();
  });
}

/** Runs the page's settings while typing into the reply box, one key every KEY_GAP_MS from shortly after the start
 * until the report is out; returns the report and the keys typed. Keys are sent without waiting for the page to
 * take them, as a person types on while it is frozen: the browser delivers them when the page thaws. */
async function runWhileTyping(page) {
  await startRun(page);
  await sleep(TYPE_AFTER_MS);
  let typing = true;
  let typed = 0;
  const presses = [];
  const typist = (async () => {
    while (typing && typed < 200) {
      presses.push(page.keyboard.type(REPLY[typed % REPLY.length]));
      typed += 1;
      await sleep(KEY_GAP_MS);
    }
  })();
  const report = await waitForReport(page);
  typing = false;
  await typist;
  await Promise.all(presses);
  return { report, typed };
}

/** Runs `mode` of cpu-batch on a fresh page while typing; returns the report, what the box says, and the page. */
async function typedRun(mode) {
  const opened = await openPage(`${server.url}?preset=cpu-batch&mode=${mode}&workers=2`);
  if (mode === 'multiprocessing') await waitForPool(opened.page);
  // A first run warms the engine up (V8 tiers the wasm up), so the measured run is a typical one.
  await startRun(opened.page);
  await waitForReport(opened.page);
  const { report, typed } = await runWhileTyping(opened.page);
  await opened.page.waitForFunction(() => document.querySelector('#reply-story')?.textContent.trim());
  const story = (await opened.page.textContent('#reply-story')).trim();
  const line = (await opened.page.textContent('#reply-latency')).trim();
  const shown = (await opened.page.textContent('#input-latency')).trim();
  const latency = report.input_latency_ms;
  console.log(`${mode}: wall ${report.wall_ms.toFixed(0)} ms, ${typed} keys typed, input_latency_ms ${JSON.stringify(latency)}`);
  console.log(`  line: ${line}\n  story: ${story}`);
  return { ...opened, report, latency, story, line, shown };
}

describe('reply while it runs (cpu-batch)', () => {
  const runs = {};

  test('typing during a run that never yields waits for the end of the run', async () => {
    const run = await typedRun('single-thread');
    runs.single = run;
    assert.equal(run.report.mode, 'single-thread');
    assert.equal(run.report.checksums_agree, true);
    assert.deepEqual(Object.keys(run.latency).sort(), ['count', 'p95', 'worst']);
    assert.ok(run.latency.count > 0, 'keys typed during the run are counted');
    assert.ok(run.latency.worst >= run.latency.p95 && run.latency.p95 > 0);
    // A key typed 150 ms into the run waits for the rest of it.
    assert.ok(run.latency.worst > run.report.wall_ms / 3, `worst ${run.latency.worst} of a ${run.report.wall_ms} ms run`);
    assert.match(run.story, /^Each key waited until the run ended: worst \d+ ms\./);
    assert.match(run.line, /^Last keystroke drawn after .* · last run: \d+ keys?/);
    assert.match(run.shown, /key/);
  });

  test('typing during multitasking is drawn within a few frames', async () => {
    const run = await typedRun('multitasking');
    runs.multitasking = run;
    assert.equal(run.report.mode, 'multitasking');
    assert.ok(run.latency.count > 0, 'keys typed during the run are counted');
    assert.ok(run.latency.worst >= run.latency.p95 && run.latency.p95 > 0);
    assert.match(run.story, /^Keys were drawn within \d+ ms \(p95\): the page stayed responsive because the tasks gave the main thread back/);
    assert.ok(runs.single, 'the single-thread run came first');
    assert.ok(runs.single.latency.worst > 3 * run.latency.p95,
      `single-thread worst ${runs.single.latency.worst} ms against multitasking p95 ${run.latency.p95} ms`);
  });

  test('typing during multiprocessing is drawn within a few frames', async () => {
    const run = await typedRun('multiprocessing');
    assert.equal(run.report.mode, 'multiprocessing');
    assert.ok(run.latency.count > 0, 'keys typed during the run are counted');
    assert.match(run.story, /Web Workers and the main thread only handed out the work\.$/);
    assert.ok(runs.single.latency.worst > 3 * run.latency.p95,
      `single-thread worst ${runs.single.latency.worst} ms against multiprocessing p95 ${run.latency.p95} ms`);
    await run.context.close();
  });

  test('a run with no typing reports zeros', async () => {
    const { page, errors, context } = runs.multitasking;
    await startRun(page);
    const report = await waitForReport(page);
    assert.deepEqual(report.input_latency_ms, { count: 0, p95: 0, worst: 0 });
    assert.match(await page.textContent('#reply-story'), /Nothing was typed during this run/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the controls with the reply box have no accessibility violations (axe-core)', async () => {
    const { page, errors, context } = runs.single;
    await page.addScriptTag({ path: AXE });
    const results = await page.evaluate(() => window.axe.run(document.querySelector('.controls'), { resultTypes: ['violations'] }));
    const violations = results.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
    assert.deepEqual(violations, []);
    // The box is labelled, and its line is its description.
    assert.equal(await page.getAttribute('#reply', 'aria-describedby'), 'reply-latency');
    assert.equal((await page.textContent('label[for=reply]')).trim(), 'Reply to a text while the tasks run');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
