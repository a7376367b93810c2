// Benchmark of the built page in headless Chromium (run by scripts/bench.sh, which builds dist/ first).
//
// On the CPU-bound batch preset, after a warm-up run of each configuration, runs the configurations in
// interleaved rounds (so a noisy neighbour hits all of them alike) and reports medians and ratios:
//   parallel speed-up (2 workers vs 1), multitasking overhead (5 ms slices vs no yielding), responsiveness
//   (longest main-thread task per mode), the cost of one yield per mechanism, and the simulator's throughput in wasm.
// Usage: node bench.mjs [--rounds N]
import { mkdir, writeFile } from 'node:fs/promises';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;
const DIST = new URL('../../dist', import.meta.url).pathname;
const OUT = new URL('../../bench-results/', import.meta.url).pathname;

const CONFIGS = [
  { name: 'multiprocessing, 1 worker', mode: 'multiprocessing', workers: '1' },
  { name: 'multiprocessing, 2 workers', mode: 'multiprocessing', workers: '2' },
  { name: 'multitasking, 5 ms slices', mode: 'multitasking', workers: '2' },
  { name: 'single thread, no yielding', mode: 'single-thread', workers: '2' },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const server = await serveDist(DIST, { isolated: true });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`${server.url}?preset=cpu-batch&slice=5`);
await page.waitForFunction(() => !document.querySelector('#mode-multiprocessing')?.disabled, null, { timeout: 30_000 });
const hardwareConcurrency = await page.evaluate(() => navigator.hardwareConcurrency);

async function runOnce(config) {
  await page.check(`#mode-${config.mode}`);
  // Workers are chosen only in multiprocessing (the select is disabled in the other modes).
  if (config.mode === 'multiprocessing') await page.selectOption('#workers', config.workers);
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click('#run');
  const handle = await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: 120_000, polling: 100 });
  const report = JSON.parse(await handle.jsonValue());
  if (!report.checksums_agree) throw new Error(`${config.name}: checksums disagree`);
  return report;
}

const samples = Object.fromEntries(CONFIGS.map((config) => [config.name, []]));
for (const config of CONFIGS) await runOnce(config); // warm-up (V8 tiers up, reference checksums cached)
for (let round = 0; round < ROUNDS; round += 1) {
  for (const config of CONFIGS) samples[config.name].push(await runOnce(config));
}

const summary = {};
for (const config of CONFIGS) {
  const reports = samples[config.name];
  summary[config.name] = {
    wall_ms: median(reports.map((report) => report.wall_ms)),
    longest_main_task_ms: median(reports.map((report) => report.longest_main_task_ms)),
    longest_frame_gap_ms: median(reports.map((report) => report.longest_frame_gap_ms)),
    frames: median(reports.map((report) => report.frames)),
    wall_ms_samples: reports.map((report) => Number(report.wall_ms.toFixed(1))),
  };
}
const wall = (name) => summary[name].wall_ms;
const pairedRatio = (a, b) => median(samples[a].map((report, index) => report.wall_ms / samples[b][index].wall_ms));

const yields = {};
for (const mechanism of ['scheduler-yield', 'message-channel', 'set-timeout']) {
  const costs = [];
  for (let repeat = 0; repeat < 5; repeat += 1) {
    costs.push(await page.evaluate((m) => window.wasmBindings.tasklabBenchYield(m, 1000), mechanism));
  }
  yields[mechanism] = median(costs);
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

const results = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  hardware_concurrency: hardwareConcurrency,
  configurations: summary,
  parallel_speedup_2_vs_1: wall(CONFIGS[0].name) / wall(CONFIGS[1].name),
  parallel_speedup_2_vs_1_paired: pairedRatio(CONFIGS[0].name, CONFIGS[1].name),
  multitasking_overhead_vs_no_yield: wall(CONFIGS[2].name) / wall(CONFIGS[3].name),
  multitasking_overhead_vs_no_yield_paired: pairedRatio(CONFIGS[2].name, CONFIGS[3].name),
  yield_cost_us: yields,
  simulator_slices_per_second_wasm: simulator,
};

await mkdir(OUT, { recursive: true });
await writeFile(`${OUT}page.json`, JSON.stringify(results, null, 2));
console.log(`\nCPU-bound batch preset, median of ${ROUNDS} interleaved rounds after a warm-up (hardwareConcurrency ${hardwareConcurrency})`);
console.table(Object.fromEntries(Object.entries(summary).map(([name, figures]) => [name, {
  'wall ms': figures.wall_ms.toFixed(1),
  'longest main-thread task ms': figures.longest_main_task_ms.toFixed(1),
  'longest frame gap ms': figures.longest_frame_gap_ms.toFixed(1),
  frames: figures.frames,
}])));
console.log(`parallel speed-up, 2 workers vs 1:            ${results.parallel_speedup_2_vs_1.toFixed(2)}x (paired ${results.parallel_speedup_2_vs_1_paired.toFixed(2)}x; goal >= 1.8x)`);
console.log(`multitasking overhead, 5 ms slices vs no yield: ${results.multitasking_overhead_vs_no_yield.toFixed(3)}x (paired ${results.multitasking_overhead_vs_no_yield_paired.toFixed(3)}x; goal <= 1.05x)`);
console.log('cost of one yield (µs):', Object.entries(yields).map(([m, us]) => `${m} ${us.toFixed(1)}`).join(', '));
console.log('simulator in wasm (slices/s):', Object.entries(simulator).map(([n, rate]) => `${n} tasks ${(rate / 1e6).toFixed(1)} M`).join(', '));
console.log(`written to bench-results/page.json`);

await browser.close();
await server.close();
