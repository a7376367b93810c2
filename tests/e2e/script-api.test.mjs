// End-to-end tests of the page's script API, `window.tasklab` (engine `script.rs`): simulate() takes the CLI's
// JSON input as an object and returns the CLI's `--json` document as an object, bad input throws an Error with the
// CLI's message, and lastRun()/lastCompare() give the published reports as objects.
// Run through `scripts/test.sh` (which builds dist/ first) or `npm test` here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_TIMEOUT, openPageIn, useBrowserAndServer } from './page.mjs';


let browser;
let server;
// Chromium and a server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server } = started));

/** A fresh page of the page's `query` that collects console errors and uncaught exceptions. */
function openPage(query = '') {
  return openPageIn(browser, `${server.url}${query}`);
}


/** What `tasklab.simulate(input)` threw in the page: whether it is an Error, and its message. */
async function thrownBy(page, input) {
  return page.evaluate((input) => {
    try {
      window.tasklab.simulate(input);
      return null;
    } catch (error) {
      return { isError: error instanceof Error, message: error.message };
    }
  }, input);
}

describe('window.tasklab', () => {
  test('simulate() returns the CLI document as an object, and throws the CLI messages', async () => {
    const { page, errors, context } = await openPage();
    const api = await page.evaluate(() => Object.keys(window.tasklab).sort().map((name) => [name, typeof window.tasklab[name]]));
    assert.deepEqual(api, [['lastCompare', 'function'], ['lastRun', 'function'], ['memoryBytes', 'function'], ['simulate', 'function']]);
    const bytes = await page.evaluate(() => window.tasklab.memoryBytes());
    assert.ok(bytes >= 1_000_000 && bytes % 65_536 === 0, `${bytes} bytes of wasm memory`);

    const output = await page.evaluate(() => window.tasklab.simulate({
      tasks: [{ bursts: [{ cpu: 3 }] }, { bursts: [{ cpu: 2 }] }],
      policy: { kind: 'fcfs' },
    }));
    assert.equal(typeof output, 'object');
    assert.deepEqual(Object.keys(output).sort(), ['conventions', 'machine', 'policy', 'result']);
    assert.equal(output.result.summary.makespan, 5);
    assert.deepEqual(output.result.tasks.map((task) => task.completion), [3, 5]);
    assert.deepEqual(output.machine, { cpus: 1, switch_cost: 0 });
    assert.deepEqual(output.policy, { kind: 'fcfs' });
    // Plain numbers and arrays, nothing that needs JSON.parse or BigInt.
    assert.equal(await page.evaluate(() => {
      const out = window.tasklab.simulate({ tasks: [{ bursts: [{ cpu: 4 }] }], machine: { cpus: 2 }, policy: { kind: 'rr', quantum: 2 } });
      return typeof out.result.summary.makespan === 'number' && Array.isArray(out.result.trace) && !(out instanceof Map);
    }), true);

    assert.deepEqual(
      await thrownBy(page, { tasks: [{ bursts: [{ cpu: 3 }] }], policy: { kind: 'rr', quantum: 0 } }),
      { isError: true, message: 'the quantum must be at least 1 tick' },
    );
    assert.deepEqual(await thrownBy(page, { policy: { kind: 'fcfs' } }), { isError: true, message: 'missing field `tasks`' });
    assert.deepEqual(await thrownBy(page, { tasks: [] }), { isError: true, message: 'the scenario has no tasks' });
    // Through Playwright, the thrown Error rejects evaluate() with its message.
    await assert.rejects(page.evaluate(() => window.tasklab.simulate({ tasks: [{ bursts: [{ io: 3 }] }] })), /task 0 has no CPU burst/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('lastRun() is null before a run and the published report as an object after', async () => {
    const { page, errors, context } = await openPage('?preset=two-chefs&mode=multitasking&slice=5');
    assert.equal(await page.evaluate(() => window.tasklab.lastRun()), null);
    assert.equal(await page.evaluate(() => window.tasklab.lastCompare()), null);
    await page.evaluate(() => { window.tasklabLastRun = undefined; });
    await page.click('#run');
    await page.waitForFunction(() => window.tasklabLastRun, null, { timeout: RUN_TIMEOUT, polling: 50 });
    const { fromApi, published, fresh } = await page.evaluate(() => {
      const fromApi = window.tasklab.lastRun();
      fromApi.mode = 'changed by a script';
      return { fromApi: window.tasklab.lastRun(), published: JSON.parse(window.tasklabLastRun), fresh: window.tasklab.lastRun() !== window.tasklab.lastRun() };
    });
    assert.equal(typeof fromApi, 'object');
    assert.deepEqual(fromApi, published);
    assert.equal(fromApi.mode, 'multitasking');
    assert.equal(fresh, true, 'each call returns a new object');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
