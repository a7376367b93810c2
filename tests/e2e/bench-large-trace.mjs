// Benchmark: how smoothly the page draws and navigates a large trace (issue 9, part 4; run by
// scripts/bench-large-trace.sh, which builds dist/ first). Measures today's page; it changes nothing.
//
// The scenario is the largest the page accepts (crates/tasklab-core/src/scenario.rs): MAX_TASKS = 64 tasks of
// MAX_PHASES = 64 compute phases each, sized so the whole scenario stays just under MAX_CPU_SECONDS = 120 s of CPU
// at the typical unit cost (hash-chain, 1.6 µs a unit). It is imported through the page's import control (as a
// person would) on a page opened with `policy=rr&quantum=1&cpus=64`, so Predict simulates and draws tens of
// thousands of slices. Predict refuses a simulation of more than 100,000 slices (PREDICT_MAX_SLICES), which the
// largest scenario exceeds at quantum 1 (about one slice per CPU millisecond), so a first pass shrinks the phases by
// 10 % at a time until the page draws it: the benchmark then measures the largest scenario Predict still draws.
//
// Figure 1: the longest main-thread task (PerformanceObserver 'longtask', installed before the page loads) from the
//   import until 2 s after the prediction's timeline is in the DOM, and the time from the import to that timeline.
// Figure 2: frames per second while zooming and panning the Predict timeline with the keyboard ('+', '-', arrows on
//   its focusable canvas) for about 2 s, counted with requestAnimationFrame in the page, and the longest frame.
// Targets (issue 9): longest task ≤ 50 ms, ≥ 30 frames per second.
// Usage: node bench-large-trace.mjs [--rounds N]   Writes bench-results/large-trace.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROUNDS = Number(argument('--rounds', '3'));
const DIST = new URL('../../dist', import.meta.url).pathname;
const OUT = new URL('../../bench-results/', import.meta.url).pathname;
const QUERY = 'policy=rr&quantum=1&cpus=64';
const SETTLE_MS = 2_000;
const NAVIGATE_MS = 2_000;
const TARGET_TASK_MS = 50;
const TARGET_FPS = 30;

// Limits of crates/tasklab-core/src/scenario.rs.
const MAX_TASKS = 64;
const MAX_PHASES = 64;
const MAX_CPU_SECONDS = 120;
const HASH_CHAIN_UNIT_US = 1.6;
const LARGEST_UNITS = Math.floor((MAX_CPU_SECONDS * 1e6 * 0.99) / (MAX_TASKS * MAX_PHASES * HASH_CHAIN_UNIT_US));
const scenarioOf = (units) => ({
  tasks: Array.from({ length: MAX_TASKS }, (_, task) => ({
    name: `Task ${task + 1}`,
    phases: Array.from({ length: MAX_PHASES }, () => ({ type: 'compute', kind: 'hash-chain', units })),
  })),
});
const importFile = (page, units) => page.setInputFiles('#import-file', {
  name: 'largest.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenarioOf(units))),
});
// True once the imported scenario's prediction is drawn, false if Predict refused it.
// (Drawn: the SVG frame is in the DOM and, past the SVG's limit, the canvas over it has been painted.)
const predictDrawn = (tasks) => {
  const figure = document.querySelector('#predict figure.timeline');
  const svg = figure?.querySelector('.timeline-canvas svg');
  const painted = figure?.dataset.detail !== 'canvas' || figure.querySelector('canvas.timeline-dense')?.width > 300;
  const rows = document.querySelectorAll('#prediction-tasks tbody tr').length;
  if (svg && painted && document.querySelector('#modified-badge') && rows === tasks) {
    window.benchDrawnAt ??= performance.now();
    return 'drawn';
  }
  const refused = [...document.querySelectorAll('#predict .notice')].some((notice) => notice.textContent.includes('rejected'));
  return document.querySelector('#modified-badge') && refused ? 'refused' : false;
};

// The browser reports only tasks of 50 ms or more ("long tasks"): 0 means none.
const longest = (ms) => (ms > 0 ? `${ms.toFixed(0)} ms` : 'under 50 ms (no long task)');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const server = await serveDist(DIST, { isolated: true });
const browser = await launchChromium();

async function runOnce(units) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    window.benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.benchLongTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${server.url}?${QUERY}`);
  await page.waitForSelector('#predict .timeline-canvas svg');
  await page.waitForTimeout(500);

  // Figure 1: import, then wait for the imported scenario's prediction to be drawn.
  await page.evaluate(() => {
    window.benchDrawnAt = undefined;
    window.benchImportAt = performance.now();
  });
  await importFile(page, units);
  const outcome = await (await page.waitForFunction(predictDrawn, MAX_TASKS, { timeout: 120_000, polling: 'raf' })).jsonValue();
  if (outcome !== 'drawn') throw new Error(`Predict refused the scenario of ${units} units a phase`);
  await page.waitForTimeout(SETTLE_MS);
  const draw = await page.evaluate((settle) => {
    const from = window.benchImportAt;
    const until = window.benchDrawnAt + settle;
    const tasks = window.benchLongTasks.filter((task) => task.start + task.duration >= from && task.start <= until);
    return {
      drawn_ms: window.benchDrawnAt - from,
      longest_task_ms: Math.max(0, ...tasks.map((task) => task.duration)),
      long_tasks: tasks.length,
      slices_drawn: Number(document.querySelector('#predict figure.timeline').dataset.shown),
      detail: document.querySelector('#predict figure.timeline').dataset.detail,
      bars_painted: Number(document.querySelector('#predict figure.timeline').dataset.drawn),
      makespan: document.querySelector('#predicted-makespan')?.textContent ?? null,
    };
  }, SETTLE_MS);

  // Figure 2: zoom and pan the Predict timeline with the keyboard, counting frames.
  const canvas = page.locator('#predict .timeline-canvas').first();
  await canvas.focus();
  await page.evaluate(() => {
    window.benchFrames = [];
    window.benchCounting = true;
    const tick = (time) => {
      window.benchFrames.push(time);
      if (window.benchCounting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const keys = ['+', 'ArrowRight', 'ArrowRight', 'ArrowLeft', '+', 'ArrowLeft', 'ArrowRight', '-', 'ArrowLeft', '-'];
  const started = Date.now();
  let presses = 0;
  while (Date.now() - started < NAVIGATE_MS) {
    await page.keyboard.press(keys[presses % keys.length]);
    presses += 1;
  }
  const frames = await page.evaluate(() => {
    window.benchCounting = false;
    const times = window.benchFrames;
    let longest = 0;
    for (let index = 1; index < times.length; index += 1) longest = Math.max(longest, times[index] - times[index - 1]);
    const span = times[times.length - 1] - times[0];
    return { frames: times.length - 1, span_ms: span, fps: span > 0 ? ((times.length - 1) / span) * 1000 : 0, longest_frame_ms: longest };
  });
  await context.close();
  return { ...draw, key_presses: presses, ...frames, page_errors: errors };
}

// The largest scenario Predict draws: shrink from the scenario limits by 10 % until it is no longer refused.
async function findUnits() {
  const page = await browser.newPage();
  await page.goto(`${server.url}?${QUERY}`);
  await page.waitForSelector('#predict .timeline-canvas svg');
  for (let units = LARGEST_UNITS; units > 1; units = Math.floor(units * 0.9)) {
    await page.goto(`${server.url}?${QUERY}`);
    await page.waitForSelector('#predict .timeline-canvas svg');
    await importFile(page, units);
    const outcome = await (await page.waitForFunction(predictDrawn, MAX_TASKS, { timeout: 120_000, polling: 100 })).jsonValue();
    console.log(`${units} units a phase (${((units * MAX_TASKS * MAX_PHASES * HASH_CHAIN_UNIT_US) / 1e6).toFixed(1)} s of CPU): ${outcome}`);
    if (outcome === 'drawn') {
      await page.close();
      return units;
    }
  }
  throw new Error('Predict refused every size');
}
const units = await findUnits();
const runs = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const run = await runOnce(units);
  runs.push(run);
  console.log(
    `run ${round + 1}: ${run.slices_drawn.toLocaleString('en')} slices drawn as ${run.bars_painted.toLocaleString('en')} ` +
      `${run.detail === 'canvas' ? 'canvas bars' : 'SVG elements'} (makespan ${run.makespan}), drawn after ` +
      `${run.drawn_ms.toFixed(0)} ms, longest main-thread task ${longest(run.longest_task_ms)} ` +
      `(${run.long_tasks} long tasks); zoom/pan ${run.fps.toFixed(1)} fps over ${run.key_presses} key presses, ` +
      `longest frame ${run.longest_frame_ms.toFixed(0)} ms` + (run.page_errors.length ? `; page errors: ${run.page_errors.join(' | ')}` : ''),
  );
}
const summary = {
  slices_drawn: median(runs.map((run) => run.slices_drawn)),
  drawn_ms: median(runs.map((run) => run.drawn_ms)),
  longest_task_ms: median(runs.map((run) => run.longest_task_ms)),
  fps: median(runs.map((run) => run.fps)),
  longest_frame_ms: median(runs.map((run) => run.longest_frame_ms)),
};
summary.worst_longest_task_ms = Math.max(...runs.map((run) => run.longest_task_ms));
summary.meets_targets = summary.longest_task_ms <= TARGET_TASK_MS && summary.fps >= TARGET_FPS;
await mkdir(OUT, { recursive: true });
await writeFile(`${OUT}large-trace.json`, JSON.stringify({
  scenario: { tasks: MAX_TASKS, phases_per_task: MAX_PHASES, kind: 'hash-chain', units_per_phase: units,
    largest_accepted_units_per_phase: LARGEST_UNITS, cpu_seconds: (units * MAX_TASKS * MAX_PHASES * HASH_CHAIN_UNIT_US) / 1e6 },
  query: QUERY, rounds: ROUNDS, targets: { longest_task_ms: TARGET_TASK_MS, fps: TARGET_FPS }, summary, runs,
}, null, 2));
console.log(
  `large trace: ${summary.slices_drawn.toLocaleString('en')} slices; drawn after ${summary.drawn_ms.toFixed(0)} ms; ` +
    `longest main-thread task ${longest(summary.longest_task_ms)} (median of ${ROUNDS}; worst ` +
    `${longest(summary.worst_longest_task_ms)}); zoom/pan ` +
    `${summary.fps.toFixed(1)} fps, longest frame ${summary.longest_frame_ms.toFixed(0)} ms; targets: ≤ ${TARGET_TASK_MS} ms ` +
    `and ≥ ${TARGET_FPS} fps${summary.meets_targets ? ' (met)' : ' (missed)'}`,
);
await browser.close();
await server.close();
