// Benchmark: does the page keep its memory flat over many runs? (issue 12, part 5; run by scripts/bench-soak.sh,
// which builds dist/ first). 100 cycles of Run then Stop after 40–160 ms, alternating multitasking and
// multiprocessing on 2 workers, then one full run whose checksums must agree. After a forced garbage collection
// (DevTools' HeapProfiler.collectGarbage) every 10 cycles it samples:
//   - the WebAssembly memory (`tasklab.memoryBytes()`: shared by the page and its workers; it only ever grows, so
//     flat means no new pages after the first cycles);
//   - the page's JavaScript heap in use (`performance.memory.usedJSHeapSize`, Chromium's).
// Prints the samples and the growth from the first sample (after 10 cycles, when caches are warm) to the last, and
// writes bench-results/soak.json. A leak of one run's timeline (thousands of slices) a cycle would add megabytes.
// Usage: node bench-soak.mjs [--cycles N]
import { mkdir, writeFile } from 'node:fs/promises';
import { launchChromium } from './browser.mjs';
import { serveDist } from './serve.mjs';
import { DIST, openPageIn, waitForPool, waitForReport } from './page.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const CYCLES = Number(argument('--cycles', '100'));
const SAMPLE_EVERY = 10;
const OUT = new URL('../../bench-results/', import.meta.url).pathname;
const MB = 1024 * 1024;

const server = await serveDist(DIST, { isolated: true });
const browser = await launchChromium();
const { page, errors, context } = await openPageIn(browser, `${server.url}?preset=cpu-batch&workers=2`);
await waitForPool(page);
const cdp = await context.newCDPSession(page);

async function sample(cycle) {
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(200);
  const memory = await page.evaluate(() => ({ wasm: window.tasklab.memoryBytes(), js: performance.memory?.usedJSHeapSize ?? 0 }));
  return { cycle, wasm_mb: memory.wasm / MB, js_mb: memory.js / MB };
}

/** Runs in `mode`, stops after `ms`, and waits until the page can run again. */
async function runAndStop(mode, ms) {
  await page.click(`#mode-${mode}`);
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click('#run');
  await page.waitForTimeout(ms);
  if (await page.locator('#stop').isEnabled()) await page.click('#stop');
  await waitForReport(page);
  await page.waitForFunction(() => !document.querySelector('#run').disabled);
}

const samples = [await sample(0)];
const started = Date.now();
for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
  await runAndStop(cycle % 2 ? 'multitasking' : 'multiprocessing', 40 + ((cycle * 37) % 121));
  if (cycle % SAMPLE_EVERY === 0) {
    samples.push(await sample(cycle));
    const last = samples[samples.length - 1];
    console.log(`after ${cycle} cycles: wasm ${last.wasm_mb.toFixed(1)} MB, JS heap ${last.js_mb.toFixed(2)} MB`);
  }
}
// A full run at the end: the page still works and the work is right.
await page.click('#mode-multiprocessing');
await page.evaluate(() => { window.tasklabLastRun = undefined; });
await page.click('#run');
const full = await waitForReport(page);
const final = await sample(CYCLES + 1);
samples.push(final);
const warm = samples.find((entry) => entry.cycle >= SAMPLE_EVERY) ?? samples[0];
const summary = {
  cycles: CYCLES,
  minutes: (Date.now() - started) / 60_000,
  wasm_mb: { first: warm.wasm_mb, last: final.wasm_mb, growth: final.wasm_mb - warm.wasm_mb },
  js_mb: { first: warm.js_mb, last: final.js_mb, growth: final.js_mb - warm.js_mb },
  full_run: { stopped: full.stopped, checksums_agree: full.checksums_agree, wall_ms: full.wall_ms },
  page_errors: errors,
};
await mkdir(OUT, { recursive: true });
await writeFile(`${OUT}soak.json`, JSON.stringify({ summary, samples }, null, 2));
console.log(
  `soak: ${CYCLES} run/stop cycles in ${summary.minutes.toFixed(1)} min; wasm memory ${warm.wasm_mb.toFixed(1)} → ` +
    `${final.wasm_mb.toFixed(1)} MB, JS heap ${warm.js_mb.toFixed(2)} → ${final.js_mb.toFixed(2)} MB (from cycle ` +
    `${warm.cycle}); full run afterwards: checksums ${full.checksums_agree ? 'agree' : 'DISAGREE'}` +
    (errors.length ? `; page errors: ${errors.join(' | ')}` : ''),
);
await browser.close();
await server.close();
