// Benchmark: real runs against their model, for every preset in multitasking and in multiprocessing on 2 workers
// (run by scripts/bench-model.sh, which builds dist/ first).
//
// Each preset runs under the policy its story carries (as the page applies it when the preset is chosen). After
// one warm-up run per configuration (V8 tiers up, reference checksums cached), each runs ROUNDS times; the table
// gives the median difference of the measured makespan and mean turnaround from the model of each run (the run's
// own policy on as many CPUs as it had, calibrated from its own CPU time). Goal: within 10 %.
// Usage: node bench-model.mjs [--rounds N] [--presets a,b]   Writes bench-results/model.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ROUNDS = Number(argument('--rounds', '5'));
const DIST = new URL('../../dist', import.meta.url).pathname;
const OUT = new URL('../../bench-results/', import.meta.url).pathname;
const MODES = [
  { name: 'multitasking', query: 'mode=multitasking&slice=5' },
  { name: 'multiprocessing, 2 workers', query: 'mode=multiprocessing&workers=2&slice=5' },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const percent = (measured, model) => ((measured - model) / model) * 100;

const server = await serveDist(DIST, { isolated: true });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForSelector('#preset');
const allPresets = await page.locator('#preset option').evaluateAll((options) => options.map((option) => option.value));
const presets = argument('--presets', allPresets.join(',')).split(',');

async function runOnce(preset, mode) {
  await page.goto(`${server.url}?preset=${preset}&${mode.query}`);
  // Choosing the preset applies its policy and CPUs, as a person choosing it would get them.
  await page.selectOption('#preset', preset === allPresets[0] ? allPresets[1] : allPresets[0]);
  await page.selectOption('#preset', preset);
  if (mode.name.startsWith('multiprocessing')) {
    await page.waitForFunction(() => !document.querySelector('#mode-multiprocessing')?.disabled, null, { timeout: 30_000 });
    await page.check('#mode-multiprocessing');
    await page.selectOption('#workers', '2');
  }
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click('#run');
  const handle = await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: 120_000, polling: 100 });
  const report = JSON.parse(await handle.jsonValue());
  if (!report.checksums_agree) throw new Error(`${preset} / ${mode.name}: checksums disagree`);
  const turnaround = mean(report.tasks.map((task) => task.end_ms - task.arrival_ms));
  const modelTurnaround = mean(report.tasks.map((task) => task.model_end_ms - task.arrival_ms));
  return {
    policy: report.policy,
    makespan: percent(report.wall_ms, report.model_makespan_ms),
    turnaround: percent(turnaround, modelTurnaround),
    wall_ms: report.wall_ms,
    model_ms: report.model_makespan_ms,
  };
}

const rows = [];
for (const preset of presets) {
  for (const mode of MODES) {
    await runOnce(preset, mode);
    const samples = [];
    for (let round = 0; round < ROUNDS; round += 1) samples.push(await runOnce(preset, mode));
    const row = {
      preset,
      mode: mode.name,
      policy: samples[0].policy,
      wall_ms: median(samples.map((sample) => sample.wall_ms)),
      model_ms: median(samples.map((sample) => sample.model_ms)),
      makespan_percent: median(samples.map((sample) => sample.makespan)),
      turnaround_percent: median(samples.map((sample) => sample.turnaround)),
    };
    row.within_10 = Math.abs(row.makespan_percent) <= 10 && Math.abs(row.turnaround_percent) <= 10;
    rows.push(row);
    console.log(
      `${preset.padEnd(20)} ${mode.name.padEnd(27)} ${row.policy.padEnd(20)} wall ${row.wall_ms.toFixed(0).padStart(5)} ms  ` +
        `model ${row.model_ms.toFixed(0).padStart(5)} ms  makespan ${row.makespan_percent.toFixed(1).padStart(6)} %  ` +
        `turnaround ${row.turnaround_percent.toFixed(1).padStart(6)} %  ${row.within_10 ? 'ok' : 'MISS'}`,
    );
  }
}
await mkdir(OUT, { recursive: true });
await writeFile(`${OUT}model.json`, JSON.stringify({ rounds: ROUNDS, rows }, null, 2));
console.log(`${rows.filter((row) => row.within_10).length}/${rows.length} within 10 % (median of ${ROUNDS} runs each)`);
await browser.close();
await server.close();
