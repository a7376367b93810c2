// Benchmark of the built page in headless Chromium (run by scripts/bench.sh, which builds dist/ first).
//
// On the CPU-bound batch preset, after a warm-up run of each configuration, runs the configurations in
// interleaved rounds (so a noisy neighbour hits all of them alike) and reports medians and ratios:
//   parallel speed-up (2 workers vs 1); multitasking overhead at each slice length against the no-yield mode at
//   the same slice and quantum (same slices, same policy decisions, only the yields differ), with the gap between
//   two slices and the longest main-thread task; the cost of one yield per mechanism (from Rust through a
//   future, from plain JS, and as direct JS→wasm calls where the page has them); the simulator's throughput in wasm.
// Usage: node bench.mjs [--rounds N] [--slices 1,2,5,10] [--no-parallel] [--dist DIR[,DIR...]] [--out FILE]
//   --dist (or TASKLAB_DIST) measures another build than dist/; with several (e.g. before,after) each gets its own
//   browser context and their runs are interleaved too, so they are compared side by side under the same load.
//   --out writes elsewhere than bench-results/page.json.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const ROUNDS = Number(argument('--rounds', 7));
const SLICES = argument('--slices', '1,2,5,10').split(',').map(Number).filter((ms) => ms > 0);
const PARALLEL = !process.argv.includes('--no-parallel');
const DISTS = argument('--dist', process.env.TASKLAB_DIST ?? new URL('../../dist', import.meta.url).pathname)
  .split(',').map((dir) => resolve(dir));
const OUT = resolve(argument('--out', new URL('../../bench-results/page.json', import.meta.url).pathname));
const YIELDS = 1000;

const multitasking = (slice) => `multitasking, ${slice} ms slices`;
const noYield = (slice) => `no yielding, ${slice} ms slices`;
const CONFIGS = [
  ...(PARALLEL ? [
    { name: 'multiprocessing, 1 worker', mode: 'multiprocessing', workers: '1' },
    { name: 'multiprocessing, 2 workers', mode: 'multiprocessing', workers: '2' },
  ] : []),
  // Slice and quantum alike, as in a link with only `slice`: each slice length is one round-robin turn.
  ...SLICES.flatMap((slice) => [
    { name: noYield(slice), mode: 'single-thread', slice },
    { name: multitasking(slice), mode: 'multitasking', slice },
  ]),
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);

const browser = await launchChromium();
/** One build under test: its server and its page (in a context of its own, so a renderer process of its own). */
async function openBuild(dist) {
  const server = await serveDist(dist, { isolated: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}?preset=cpu-batch&slice=5`);
  await page.waitForFunction(() => !document.querySelector('#mode-multiprocessing')?.disabled, null, { timeout: 30_000 });
  // Short names for the table: the folder's last part (dist, dist-before, …).
  return { dist, label: dist.split('/').filter(Boolean).pop(), server, context, page };
}
const builds = [];
for (const dist of DISTS) builds.push(await openBuild(dist));
const hardwareConcurrency = await builds[0].page.evaluate(() => navigator.hardwareConcurrency);

/** Sets an input's value and commits it as the person would (a `change` event). */
async function commit(page, selector, value) {
  await page.$eval(selector, (input, text) => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, String(value));
}

async function runOnce({ page }, config) {
  if (config.slice) {
    // The slice input is enabled only in multitasking; the no-yield mode uses the slice all the same.
    await page.check('#mode-multitasking');
    await commit(page, '#slice', config.slice);
    await commit(page, '#quantum', config.slice);
    await page.waitForFunction((ms) => document.querySelector('#slice-value')?.textContent === `${ms} ms`, config.slice);
  }
  await page.check(`#mode-${config.mode}`);
  // Workers are chosen only in multiprocessing (the select is disabled in the other modes).
  if (config.mode === 'multiprocessing') await page.selectOption('#workers', config.workers);
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  const before = await rendererThreads();
  await page.click('#run');
  const handle = await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: 120_000, polling: 100 });
  const report = JSON.parse(await handle.jsonValue());
  // The wait for a CPU of the whole measurement, an upper bound of the run's own: capped at the run's length.
  report.unloaded_wall_ms = report.wall_ms - Math.min(waitedMs(before, await rendererThreads()), report.wall_ms * 0.5);
  if (!report.checksums_agree) throw new Error(`${config.name}: checksums disagree`);
  if (config.slice && report.slice_ms !== config.slice) throw new Error(`${config.name}: ran with ${report.slice_ms} ms slices`);
  return report;
}

// On a shared machine other processes take the CPU from the page now and then, which adds noise of its own to
// wall times. On Linux, the kernel counts how long each thread waited for a CPU while it could run
// (/proc/PID/task/TID/schedstat, second field): each run is also reported with that time taken out of its wall
// time ("unloaded"). The page's thread is the main thread of the renderer that worked most during the run.
async function rendererThreads() {
  const threads = new Map();
  let pids = [];
  try { pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)); } catch { return threads; }
  for (const pid of pids) {
    try {
      if (!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('--type=renderer')) continue;
      const [cpu, wait] = (await readFile(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')).split(' ').map(Number);
      threads.set(pid, { cpu, wait });
    } catch { /* gone meanwhile */ }
  }
  return threads;
}
/** Milliseconds the busiest renderer main thread waited for a CPU between two snapshots (0 where unknown). */
function waitedMs(before, after) {
  let busiest;
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start && (!busiest || end.cpu - start.cpu > busiest.cpu)) busiest = { cpu: end.cpu - start.cpu, wait: end.wait - start.wait };
  }
  return busiest ? busiest.wait / 1e6 : 0;
}

/** The gaps between consecutive slices of a one-lane run, in ms: what each yield cost inside the run. */
const gaps = (report) => report.slices.slice(1).map((slice, index) => slice.start_ms - report.slices[index].end_ms);

const samples = new Map(builds.map((build) => [build, Object.fromEntries(CONFIGS.map((config) => [config.name, []]))]));
for (const build of builds) for (const config of CONFIGS) await runOnce(build, config); // warm-up (V8 tiers up, reference checksums cached)
for (let round = 0; round < ROUNDS; round += 1) {
  for (const config of CONFIGS) {
    for (const build of builds) samples.get(build)[config.name].push(await runOnce(build, config));
  }
}

/** The figures of one build. */
async function measure(build) {
  const { page } = build;
  const runs = samples.get(build);
  const summary = {};
  for (const config of CONFIGS) {
    const reports = runs[config.name];
    const allGaps = reports.flatMap(gaps);
    summary[config.name] = {
      wall_ms: median(reports.map((report) => report.wall_ms)),
      unloaded_wall_ms: median(reports.map((report) => report.unloaded_wall_ms)),
      longest_main_task_ms: median(reports.map((report) => report.longest_main_task_ms)),
      longest_main_task_ms_max: Math.max(...reports.map((report) => report.longest_main_task_ms)),
      longest_frame_gap_ms: median(reports.map((report) => report.longest_frame_gap_ms)),
      frames: median(reports.map((report) => report.frames)),
      slices: median(reports.map((report) => report.slices.length)),
      gap_between_slices_ms_median: median(allGaps),
      gap_between_slices_ms_mean: mean(allGaps),
      wall_ms_samples: reports.map((report) => Number(report.wall_ms.toFixed(1))),
      unloaded_wall_ms_samples: reports.map((report) => Number(report.unloaded_wall_ms.toFixed(1))),
    };
  }
  const wall = (name) => summary[name].wall_ms;
  const pairedRatio = (a, b, key = 'wall_ms') => median(runs[a].map((report, index) => report[key] / runs[b][index][key]));

  const overheadBySlice = {};
  for (const slice of SLICES) {
    const figures = summary[multitasking(slice)];
    overheadBySlice[slice] = {
      ratio: wall(multitasking(slice)) / wall(noYield(slice)),
      ratio_paired: pairedRatio(multitasking(slice), noYield(slice)),
      ratio_unloaded_paired: pairedRatio(multitasking(slice), noYield(slice), 'unloaded_wall_ms'),
      // Noise from other processes only ever adds time: the fastest runs are the least disturbed.
      ratio_fastest: Math.min(...runs[multitasking(slice)].map((report) => report.wall_ms))
        / Math.min(...runs[noYield(slice)].map((report) => report.wall_ms)),
      gap_between_slices_ms_median: figures.gap_between_slices_ms_median,
      gap_between_slices_ms_mean: figures.gap_between_slices_ms_mean,
      longest_main_task_ms: figures.longest_main_task_ms,
      longest_main_task_ms_max: figures.longest_main_task_ms_max,
      longest_frame_gap_ms: figures.longest_frame_gap_ms,
      frames: figures.frames,
    };
  }

  // Cost of one yield, µs, median of 5 chains of YIELDS yields each.
  const timeYields = async (run) => {
    const costs = [];
    for (let repeat = 0; repeat < 5; repeat += 1) costs.push(await run());
    return median(costs);
  };
  const yields = {};
  // From Rust, awaiting a future that resolves through each mechanism (how the executor yielded before issue 12).
  const futureMechanisms = await page.evaluate(() => window.wasmBindings.tasklabYieldMechanisms?.() ?? ['scheduler-yield', 'message-channel', 'set-timeout']);
  for (const mechanism of futureMechanisms) {
    yields[`rust future: ${mechanism}`] = await timeYields(() =>
      page.evaluate(([m, n]) => window.wasmBindings.tasklabBenchYield(m, n), [mechanism, YIELDS]));
  }
  // Direct JS→wasm calls: each continuation is a wasm closure the browser calls (the page's driver, if it has one).
  if (await page.evaluate(() => Boolean(window.wasmBindings.tasklabBenchYieldDirect))) {
    for (const mechanism of futureMechanisms) {
      yields[`direct call: ${mechanism}`] = await timeYields(() =>
        page.evaluate(([m, n]) => window.wasmBindings.tasklabBenchYieldDirect(m, n), [mechanism, YIELDS]));
    }
  }
  // Plain JS, no wasm at all: the floor each mechanism sets. setTimeout(0) is clamped to 4 ms from the 5th nesting.
  for (const [name, source] of Object.entries(PLAIN_JS)) {
    const count = name === 'setTimeout(0)' ? 100 : YIELDS;
    yields[`plain JS: ${name}`] = await timeYields(() => page.evaluate(async ([code, n]) => {
      // eslint-disable-next-line no-eval
      const chain = (0, eval)(code);
      const start = performance.now();
      await chain(n);
      return ((performance.now() - start) * 1000) / n;
    }, [source, count]));
  }

  // The executor alone in the idle page (no progress panel, no frame meter): its yields' own cost, the run awaited
  // as a future after every yield against the run called directly by the browser, each against no yielding.
  const executorAlone = {};
  if (await page.evaluate(() => Boolean(window.wasmBindings.tasklabBenchCooperative))) {
    // The page's mechanism for direct calls; the future awaits scheduler.yield(), as the page did before issue 12.
    const best = futureMechanisms[0];
    const awaited = futureMechanisms.includes('scheduler-yield') ? 'scheduler-yield' : best;
    const drivers = ['no-yield', 'future', 'direct'];
    const walls = Object.fromEntries(SLICES.flatMap((slice) => drivers.map((driver) => [`${slice} ${driver}`, []])));
    const gapsUs = Object.fromEntries(Object.keys(walls).map((key) => [key, []]));
    for (let repeat = 0; repeat < Math.max(ROUNDS, 5) + 1; repeat += 1) {
      for (const slice of SLICES) {
        for (const driver of drivers) {
          const mechanism = driver === 'future' ? awaited : best;
          const [wallMs, , gapMs] = await page.evaluate(([s, d, m]) => window.wasmBindings.tasklabBenchCooperative(s, d, m), [slice, driver, mechanism]);
          if (repeat === 0) continue; // warm-up
          walls[`${slice} ${driver}`].push(wallMs);
          gapsUs[`${slice} ${driver}`].push(gapMs * 1000);
        }
      }
    }
    for (const slice of SLICES) {
      const paired = (driver) => median(walls[`${slice} ${driver}`].map((ms, index) => ms / walls[`${slice} no-yield`][index]));
      executorAlone[slice] = {
        mechanism: `future: ${awaited}, direct: ${best}`,
        future_overhead: paired('future'),
        direct_overhead: paired('direct'),
        future_gap_us: median(gapsUs[`${slice} future`]),
        direct_gap_us: median(gapsUs[`${slice} direct`]),
      };
    }
  }

  const simulator = {};
  for (const tasks of [1000, 10000, 100000]) {
    const rates = [];
    for (let repeat = 0; repeat < 3; repeat += 1) {
      const [slices, ms] = await page.evaluate((n) => window.wasmBindings.tasklabBenchSim(n), tasks);
      rates.push(slices / (ms / 1000));
    }
    simulator[tasks] = median(rates);
  }

  const reference = SLICES.includes(5) ? 5 : SLICES[0];
  return {
    dist: build.dist,
    configurations: summary,
    ...(PARALLEL ? {
      parallel_speedup_2_vs_1: wall(CONFIGS[0].name) / wall(CONFIGS[1].name),
      parallel_speedup_2_vs_1_paired: pairedRatio(CONFIGS[0].name, CONFIGS[1].name),
    } : {}),
    multitasking_overhead_vs_no_yield: overheadBySlice[reference].ratio,
    multitasking_overhead_vs_no_yield_paired: overheadBySlice[reference].ratio_paired,
    multitasking_overhead_by_slice_ms: overheadBySlice,
    yield_cost_us: yields,
    executor_alone_by_slice_ms: executorAlone,
    simulator_slices_per_second_wasm: simulator,
  };
}

// Plain JS chains of each mechanism, evaluated in the page.
const PLAIN_JS = {
  'scheduler.yield()': 'async (n) => { for (let i = 0; i < n; i += 1) await scheduler.yield(); }',
  'scheduler.postTask': "(n) => new Promise((done) => { let i = 0; const step = () => (++i < n ? scheduler.postTask(step, { priority: 'user-visible' }) : done()); scheduler.postTask(step); })",
  MessageChannel: '(n) => new Promise((done) => { const c = new MessageChannel(); let i = 0; c.port1.onmessage = () => (++i < n ? c.port2.postMessage(0) : done()); c.port2.postMessage(0); })',
  'setTimeout(0)': '(n) => new Promise((done) => { let i = 0; const step = () => (++i < n ? setTimeout(step, 0) : done()); setTimeout(step, 0); })',
};

const measured = {};
for (const build of builds) measured[build.label] = await measure(build);
const only = builds.length === 1 ? measured[builds[0].label] : undefined;
const results = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  hardware_concurrency: hardwareConcurrency,
  // One build: its figures at the top level, as before; several: one entry per build.
  ...(only ?? { builds: measured }),
};

await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, JSON.stringify(results, null, 2));
const labels = builds.map((build) => build.label);
const side = (pick) => Object.fromEntries(labels.map((label) => [label, pick(measured[label])]));
console.log(`\nCPU-bound batch preset, median of ${ROUNDS} interleaved rounds after a warm-up (hardwareConcurrency ${hardwareConcurrency}; builds: ${DISTS.join(', ')})`);
console.table(Object.fromEntries(labels.flatMap((label) => Object.entries(measured[label].configurations).map(([name, figures]) => [
  builds.length > 1 ? `${label}: ${name}` : name, {
    'wall ms': figures.wall_ms.toFixed(1),
    'unloaded ms': figures.unloaded_wall_ms.toFixed(1),
    'longest main-thread task ms': figures.longest_main_task_ms.toFixed(1),
    'longest frame gap ms': figures.longest_frame_gap_ms.toFixed(1),
    frames: figures.frames,
    'gap between slices ms (median / mean)': `${figures.gap_between_slices_ms_median.toFixed(3)} / ${figures.gap_between_slices_ms_mean.toFixed(3)}`,
  }]))));
if (PARALLEL) {
  console.log('parallel speed-up, 2 workers vs 1 (paired; goal >= 1.8x):', labels.map((label) => `${label} ${measured[label].parallel_speedup_2_vs_1.toFixed(2)}x (${measured[label].parallel_speedup_2_vs_1_paired.toFixed(2)}x)`).join(', '));
}
console.log('multitasking overhead against no yielding at the same slice: paired median of wall times, of wall times less the waits for a CPU, and fastest against fastest (goal <= 1.03x at 5 ms; longest main-thread task <= slice + 5 ms):');
console.table(Object.fromEntries(SLICES.map((slice) => [`${slice} ms slices`, Object.fromEntries(labels.flatMap((label) => {
  const figures = measured[label].multitasking_overhead_by_slice_ms[slice];
  return [
    [`${label} overhead`, `${figures.ratio_paired.toFixed(3)}x`],
    [`${label} unloaded`, `${figures.ratio_unloaded_paired.toFixed(3)}x`],
    [`${label} fastest`, `${figures.ratio_fastest.toFixed(3)}x`],
    [`${label} gap ms (median/mean)`, `${figures.gap_between_slices_ms_median.toFixed(3)}/${figures.gap_between_slices_ms_mean.toFixed(3)}`],
    [`${label} longest task ms (median/max)`, `${figures.longest_main_task_ms.toFixed(1)}/${figures.longest_main_task_ms_max.toFixed(1)}`],
  ];
}))])));
console.log('cost of one yield (µs per yield, median of 5 chains):');
const mechanisms = [...new Set(labels.flatMap((label) => Object.keys(measured[label].yield_cost_us)))];
console.table(Object.fromEntries(mechanisms.map((name) => [name, side((figures) => figures.yield_cost_us[name]?.toFixed(1) ?? '—')])));
for (const label of labels) {
  const alone = measured[label].executor_alone_by_slice_ms;
  if (!Object.keys(alone).length) continue;
  console.log(`${label}: the executor alone in the idle page (no progress panel or frame meter), paired median against no yielding:`);
  console.table(Object.fromEntries(Object.entries(alone).map(([slice, figures]) => [`${slice} ms slices`, {
    mechanism: figures.mechanism,
    'awaited future': `${figures.future_overhead.toFixed(3)}x`,
    'direct calls': `${figures.direct_overhead.toFixed(3)}x`,
    'gap µs future / direct': `${figures.future_gap_us.toFixed(1)} / ${figures.direct_gap_us.toFixed(1)}`,
  }])));
}
console.log('simulator in wasm (slices/s):', labels.map((label) => `${label}: ${Object.entries(measured[label].simulator_slices_per_second_wasm).map(([n, rate]) => `${n} tasks ${(rate / 1e6).toFixed(1)} M`).join(', ')}`).join('; '));
console.log(`written to ${OUT}`);

await browser.close();
for (const build of builds) await build.server.close();
