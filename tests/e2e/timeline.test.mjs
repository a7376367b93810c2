// End-to-end tests of the timeline you can explore (issue 9, parts 3 and 5): the per-task view with its ready
// stretches (convoy under FCFS), zoom and pan (keys, buttons, wheel, drag) with an axis that follows, the table
// view, a phone's width (no page scroll, chart text of 14 px at least), the large-text toggle, and axe-core on the
// main view after a run, the Predict section and the compare view; a large prediction painted on a canvas (issue 9,
// part 4). Screenshots go to screenshots/timeline-*.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOTS, clickRunAndWait as runAndReport, openPageIn, seriousViolations, useBrowserAndServer } from './page.mjs';

const CONVOY = '?preset=convoy&policy=fcfs&cpus=1&mode=multitasking';
/** The Predict panel's own timeline (after a run, the model of the run has one too, before it). */
const PREDICTED = '#predict > figure.timeline';

let browser;
let isolated;
// Chromium and an isolated server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server: isolated } = started));

/** A fresh page that collects console errors and uncaught exceptions. */
async function openPage(url, { width = 1280, height = 1000 } = {}) {
  const opened = await openPageIn(browser, url, { width, height });
  await opened.page.waitForSelector(`${PREDICTED} svg`);
  return opened;
}

/** Runs, and waits for the run's timeline to be drawn. */
async function clickRunAndWait(page) {
  await runAndReport(page);
  await page.waitForSelector('#results figure.timeline svg');
}

/** The shown range of a timeline figure and its axis's tick labels. */
async function axisOf(figure) {
  return figure.evaluate((element) => ({
    start: Number(element.dataset.start),
    end: Number(element.dataset.end),
    ticks: [...element.querySelectorAll('svg .axis text:not([class])')].map((text) => Number(text.textContent)),
  }));
}

/** Each task's stretches in the per-task view: {task: [[state, x, width]…]} in document order. */
async function stretchesOf(figure) {
  return figure.evaluate((element) => {
    const rows = {};
    for (const rect of element.querySelectorAll('svg .task-rows rect')) {
      (rows[rect.dataset.task] ??= []).push([rect.getAttribute('class'), Number(rect.getAttribute('x')), Number(rect.getAttribute('width'))]);
    }
    return rows;
  });
}

/** Every text of the timelines' pictures, with its font size as drawn on screen (CSS size × the picture's scale). */
async function chartTextSizes(page) {
  return page.locator('figure.timeline svg text').evaluateAll((texts) => texts.map((text) => ({
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * (text.getScreenCTM()?.a ?? 1),
  })));
}

describe('timeline you can explore', () => {
  test('by task, the convoy\'s short tasks are ready until the long one ends; the table lists the stretches', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}${CONVOY}`);
    const figure = page.locator(PREDICTED);
    // By CPU first, as before: one lane, every slice a rect.slice.
    assert.equal(await figure.getAttribute('data-view'), 'lanes');
    assert.equal(await figure.locator('button.view-lanes').getAttribute('aria-pressed'), 'true');
    assert.ok(await figure.locator('svg rect.slice').count() >= 4);
    await figure.locator('button.view-tasks').click();
    await page.waitForSelector(`${PREDICTED}[data-view="tasks"] svg rect.ready`);
    assert.equal(await figure.locator('button.view-tasks').getAttribute('aria-pressed'), 'true');
    const rows = await stretchesOf(figure);
    assert.deepEqual(Object.keys(rows), ['0', '1', '2', '3'], 'one row per task');
    assert.deepEqual(rows[0].map(([state]) => state), ['running'], 'the long report runs from its arrival to its end');
    for (const task of ['1', '2', '3']) {
      const states = rows[task].map(([state]) => state);
      assert.deepEqual(states, ['ready', 'running'], `quick fix ${task}: ready, then running`);
      const [[, readyX, readyWidth], [, runX]] = rows[task];
      assert.ok(readyWidth > 0 && readyX + readyWidth <= runX + 0.5, `quick fix ${task} waits before it runs`);
    }
    // Each stretch says what it is, when and for how long.
    const title = await figure.locator('svg rect.ready[data-task="1"] title').textContent();
    assert.match(title, /^Quick fix 1 · ready, waiting for a CPU: 1–\d+ ticks \(\d+ ticks\)$/);
    // The legend explains the hatch.
    assert.match(await figure.locator('.legend').innerText(), /ready, waiting for a CPU/);
    await figure.screenshot({ path: `${SHOTS}timeline-convoy-by-task-1280.png` });
    // The table view: one row per stretch, the same facts.
    await figure.locator('details.timeline-table summary').click();
    const table = figure.locator('table.slices-table');
    await table.waitFor();
    assert.deepEqual(await table.locator('thead th').allInnerTexts(), ['Task', 'State', 'Start', 'End', 'Duration']);
    const cells = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    assert.equal(cells.length, 7, 'four running and three ready stretches');
    assert.ok(cells.some((row) => row[0] === 'Quick fix 1' && row[1] === 'ready, waiting for a CPU' && row[2] === '1 ticks'));
    // By CPU, the table lists the slices with their lane.
    await figure.locator('button.view-lanes').click();
    await page.waitForSelector(`${PREDICTED}[data-view="lanes"]`);
    assert.deepEqual(await table.locator('thead th').allInnerTexts(), ['Task', 'CPU', 'Start', 'End', 'Duration']);
    assert.equal(await table.locator('tbody tr').count(), await figure.locator('svg rect.slice').count());
    assert.equal(await table.locator('tbody tr td:nth-child(2)').first().textContent(), 'CPU 1');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('zoom and pan: keys, buttons, the wheel and a drag change the range and the axis follows; 0 resets', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}${CONVOY}`);
    const figure = page.locator(PREDICTED);
    const canvas = figure.locator('.timeline-canvas');
    assert.equal(await canvas.getAttribute('tabindex'), '0');
    assert.equal(await canvas.getAttribute('role'), 'group');
    assert.match(await canvas.getAttribute('aria-label'), /\+ and − zoom/);
    const whole = await axisOf(figure);
    assert.equal(whole.start, 0);
    assert.ok(whole.ticks.length >= 3 && whole.ticks[0] === 0);
    await canvas.focus();
    await page.keyboard.press('+');
    const zoomed = await axisOf(figure);
    assert.ok(Math.abs((zoomed.end - zoomed.start) - whole.end / 2) < 1e-6, `half the range: ${JSON.stringify(zoomed)}`);
    assert.ok(zoomed.ticks.every((tick) => tick >= zoomed.start - 1e-9 && tick <= zoomed.end + 1e-9), `ticks within the range ${zoomed.ticks}`);
    assert.ok(zoomed.ticks.length >= 3, 'ticks picked for the new range');
    assert.notDeepEqual(zoomed.ticks, whole.ticks);
    await page.keyboard.press('+');
    await page.keyboard.press('ArrowRight');
    const panned = await axisOf(figure);
    assert.ok(panned.start > zoomed.start, 'the right arrow moves later');
    assert.match(await figure.locator('.timeline-range').innerText(), /^Showing /);
    assert.match(await figure.locator('svg').getAttribute('aria-label'), /showing/);
    // To the end, where the quick fixes run one after the other.
    for (let press = 0; press < 10; press += 1) await page.keyboard.press('ArrowRight');
    assert.ok(Math.abs((await axisOf(figure)).end - whole.end) < 1e-6, 'panning stops at the end');
    await figure.screenshot({ path: `${SHOTS}timeline-zoomed-1280.png` });
    await page.keyboard.press('0');
    assert.deepEqual(await axisOf(figure), whole, '0 shows the whole timeline');
    // The buttons.
    await figure.locator('button.zoom-in').click();
    assert.ok((await axisOf(figure)).end < whole.end);
    await figure.locator('button.zoom-reset').click();
    assert.deepEqual(await axisOf(figure), whole);
    // The wheel zooms around the pointer once the chart has focus; a drag pans.
    await canvas.focus();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((selector) => document.querySelector(selector).dataset.start !== '0', PREDICTED);
    const wheeled = await axisOf(figure);
    assert.ok(wheeled.end - wheeled.start < whole.end && wheeled.start > 0, `zoomed around the pointer: ${JSON.stringify(wheeled)}`);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = await axisOf(figure);
    assert.ok(dragged.start > wheeled.start, `dragging left shows later times: ${wheeled.start} → ${dragged.start}`);
    assert.ok(Math.abs((dragged.end - dragged.start) - (wheeled.end - wheeled.start)) < 1e-6, 'a drag keeps the zoom');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('at 390 px: no page scroll, chart text of 14 px at least, the per-task view fits; large text draws 18 px', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}${CONVOY}`, { width: 390, height: 900 });
    await clickRunAndWait(page);
    await page.waitForSelector('#prediction-vs-measured figure.timeline svg');
    const overflow = () => page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    let { scroll, client } = await overflow();
    assert.ok(scroll <= client, `page scrolls sideways: ${scroll} > ${client}`);
    // Nor is anything cut at the page's edge: what is wider than the page sits in a box that scrolls sideways.
    const cut = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const inScrollBox = (element) => {
        for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
          if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
        }
        return false;
      };
      return [...document.querySelectorAll('main *')]
        .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !inScrollBox(element))
        .map((element) => `${element.tagName} ${element.id}`);
    });
    assert.deepEqual(cut, [], 'nothing cut at the right edge');
    const figure = page.locator(PREDICTED);
    await figure.locator('button.view-tasks').click();
    await page.waitForSelector(`${PREDICTED}[data-view="tasks"] svg rect.ready`);
    await page.locator('#results figure.timeline button.view-tasks').click();
    ({ scroll, client } = await overflow());
    assert.ok(scroll <= client, `page scrolls sideways in the per-task view: ${scroll} > ${client}`);
    const sizes = await chartTextSizes(page);
    assert.ok(sizes.length > 20, `${sizes.length} texts`);
    const small = sizes.filter((size) => size.px < 14 - 0.01);
    assert.deepEqual(small, [], 'every chart text is 14 px or more');
    // Each picture is as wide as its box: nothing of it is cut or needs a scroll.
    const fits = await page.locator('.timeline-canvas').evaluateAll((boxes) => boxes.map((box) => box.scrollWidth <= box.clientWidth));
    assert.ok(fits.every(Boolean), `${fits}`);
    await figure.screenshot({ path: `${SHOTS}timeline-convoy-by-task-390.png` });
    await figure.locator('.timeline-canvas').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await figure.screenshot({ path: `${SHOTS}timeline-zoomed-390.png` });
    await page.screenshot({ path: `${SHOTS}timeline-phone-390.png`, fullPage: true });
    // Large text: the toggle where the page has it, else its class and the resize it sends.
    if (await page.locator('#large-text').count()) {
      await page.check('#large-text');
    } else {
      await page.evaluate(() => {
        document.documentElement.classList.add('large-text');
        window.dispatchEvent(new Event('resize'));
      });
    }
    await page.waitForFunction(() => document.querySelector('figure.timeline svg')?.getAttribute('font-size') === '18');
    const large = await chartTextSizes(page);
    assert.deepEqual(large.filter((size) => size.px < 18 - 0.01), [], 'large text: 18 px or more');
    ({ scroll, client } = await overflow());
    assert.ok(scroll <= client, `page scrolls sideways with large text: ${scroll} > ${client}`);
    await figure.screenshot({ path: `${SHOTS}timeline-large-text-390.png` });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a large prediction is painted on a canvas at one pixel\'s detail, with tooltips, and zooming in brings back one element per slice', async () => {
    // 8 tasks of 8 hash-chain phases, about 8 s of CPU at the typical unit cost: round robin with quantum 1 on
    // 4 CPUs gives thousands of 1-tick slices, more than the SVG draws one by one.
    const { page, errors } = await openPage(`${isolated.url}?policy=rr&quantum=1&cpus=4`);
    const scenario = {
      tasks: Array.from({ length: 8 }, (_, task) => ({
        name: `Task ${task + 1}`,
        phases: Array.from({ length: 8 }, () => ({ type: 'compute', kind: 'hash-chain', units: 78_000 })),
      })),
    };
    await page.setInputFiles('#import-file', { name: 'large.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
    const figure = page.locator(`${PREDICTED}[data-detail="canvas"]`);
    await figure.waitFor();
    const shown = Number(await figure.getAttribute('data-shown'));
    const drawn = Number(await figure.getAttribute('data-drawn'));
    assert.ok(shown > 2_000, `${shown} slices in view`);
    assert.ok(drawn > 0 && drawn < shown, `${drawn} bars for ${shown} slices`);
    // The frame has its rows and axis but no element per slice; the canvas over its plot is painted.
    assert.equal(await figure.locator('svg rect.slice').count(), 0);
    assert.equal(await figure.locator('svg rect.lane').count(), 4);
    const painted = await figure.locator('canvas.timeline-dense').evaluate((canvas) => {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) opaque += 1;
      return opaque / (canvas.width * canvas.height);
    });
    assert.ok(painted > 0.3, `${(painted * 100).toFixed(0)}% of the canvas painted`);
    assert.match(await figure.locator('.detail-note').textContent(), /slices in view, painted at one pixel's detail/);
    // Hovering a busy lane names what is under the pointer.
    await figure.locator('.timeline-canvas').scrollIntoViewIfNeeded();
    const box = await figure.locator('canvas.timeline-dense').boundingBox();
    await page.mouse.move(box.x + box.width / 3, box.y + 16);
    const tip = await figure.locator('.timeline-tip').textContent();
    assert.match(tip, /Task \d+/);
    assert.match(tip, /CPU 1/);
    // Zoomed in far enough, each slice is its own SVG element again, with its tooltip.
    await figure.locator('.timeline-canvas').focus();
    for (let press = 0; press < 12 && (await page.locator(PREDICTED).getAttribute('data-detail')) === 'canvas'; press += 1) {
      await page.keyboard.press('+');
    }
    const zoomed = page.locator(`${PREDICTED}[data-detail="svg"]`);
    await zoomed.waitFor();
    const slices = await zoomed.locator('svg rect.slice').count();
    assert.ok(slices > 0 && slices <= 2_000);
    assert.equal(slices + (await zoomed.locator('svg rect.switch').count()), Number(await zoomed.getAttribute('data-shown')));
    assert.match(await zoomed.locator('svg rect.slice title').first().textContent(), /Task \d+ · CPU \d: /);
    await page.keyboard.press('0');
    await figure.waitFor();
    await page.screenshot({ path: `${SHOTS}timeline-large.png`, fullPage: false });
    assert.deepEqual(await seriousViolations(page, '#predict'), []);
    assert.deepEqual(errors, []);
  });

  test('axe-core: no serious or critical violations on the main view after a run, in Predict and in the compare view', async () => {
    const { page, errors, context } = await openPage(`${isolated.url}${CONVOY}`);
    await clickRunAndWait(page);
    await page.waitForSelector('#prediction-vs-measured');
    // Both views of every timeline, with a table open and a zoom.
    await page.locator('#results figure.timeline button.view-tasks').click();
    await page.locator('#results figure.timeline details.timeline-table summary').click();
    await page.locator(`${PREDICTED} button.view-tasks`).click();
    await page.locator(`${PREDICTED} .timeline-canvas`).focus();
    await page.keyboard.press('+');
    assert.deepEqual(await seriousViolations(page), [], 'main view after a run');
    assert.deepEqual(await seriousViolations(page, '#predict'), [], 'Predict');
    await page.goto(`${isolated.url}?preset=convoy&view=compare`);
    await page.waitForSelector('#compare-view');
    assert.deepEqual(await seriousViolations(page), [], 'compare view');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
