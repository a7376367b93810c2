import { launchChromium } from '/work/main/tests/e2e/browser.mjs';
import { serveDist } from '/work/main/tests/e2e/serve.mjs';
const server = await serveDist('/work/main/dist', { isolated: true });
const browser = await launchChromium();
const page = await browser.newPage();
const q = process.argv[2];
for (let i = 0; i < 2; i++) {
  await page.goto(`${server.url}?${q}`);
  await page.waitForSelector('#run');
  if (q.includes('multiprocessing')) await page.waitForFunction(() => !document.querySelector('#mode-multiprocessing')?.disabled);
  await page.evaluate(() => { window.tasklabLastRun = undefined; });
  await page.click('#run');
  const h = await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: 60000 });
  const r = JSON.parse(await h.jsonValue());
  if (i == 1) { console.log(r.model, r.wall_ms.toFixed(1), r.model_makespan_ms.toFixed(1));
  for (const t of r.tasks) console.log(t.name.padEnd(16), t.arrival_ms, t.first_run_ms.toFixed(1), t.model_first_run_ms.toFixed(1), t.end_ms.toFixed(1), t.model_end_ms.toFixed(1)); }
}
await browser.close(); await server.close();
