// End-to-end tests of the learning views (issue 11): the step-through (view=step) walked with keys and buttons,
// a quiz (view=quiz) answered, painted and graded against window.tasklab.simulate, a teacher's result code
// verified and a tampered one refused (view=quiz-check), and axe-core on each view. Screenshots at 1280 and 390 px.
// Run with `node --test learn.test.mjs` here (TASKLAB_DIST=/tmp/… for another build than dist/).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOTS, seriousViolations, useBrowserAndServer } from './page.mjs';

let browser;
let server;
// Chromium and a server of the built page for this file's tests.
useBrowserAndServer((started) => ({ browser, server } = started));

/** A fresh page at `query` that waits for `selector` and collects console errors and uncaught exceptions. */
async function open(query, selector, { width = 1280, height = 1400 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('deprecated parameters')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector(selector);
  return { page, errors, context };
}

/** The step-through's tick text and sentences now. */
async function stepState(page) {
  return page.evaluate(() => ({
    tick: document.querySelector('#step-tick').textContent,
    reasons: [...document.querySelectorAll('#step-reasons li')].map((item) => item.textContent),
  }));
}

/** The number in "Tick 12 · …". */
const tickOf = (state) => Number(/^Tick (\d+)/.exec(state.tick)[1]);

/** The question on show, solved by the page's script API from its own input (not from the page's grading). */
async function solve(page) {
  return page.evaluate(() => {
    const input = JSON.parse(document.querySelector('#quiz-view').dataset.input);
    const output = window.tasklab.simulate(input);
    return { input, output };
  });
}

/** What each CPU ran at each tick 0..ticks of a simulate() trace: a task index, or null (idle or switch). */
function grid(output, ticks) {
  const cells = Array.from({ length: output.machine.cpus }, () => Array(ticks).fill(null));
  for (const slice of output.result.trace) {
    if (typeof slice.kind === 'object' && 'task' in slice.kind) {
      for (let tick = slice.start; tick < Math.min(slice.end, ticks); tick += 1) cells[slice.cpu][tick] = slice.kind.task;
    }
  }
  return cells;
}

describe('learning views', () => {
  test('a level-2 quiz: one wrong completion, two painted cells, Reveal grades them all', async () => {
    const { page, errors, context } = await open('?view=quiz&quiz=e2e-learn&level=2', '#quiz-view[data-input]');
    const { input, output } = await solve(page);
    const expected = output.result.tasks.map((task) => task.completion);
    assert.ok(expected.length >= 4 && expected.length <= 5, `level 2 has 4–5 tasks: ${expected}`);
    const names = input.tasks.map((task) => task.name);
    // Labelled inputs, one per task.
    for (const [index, name] of names.entries()) {
      assert.equal(await page.locator(`label[for="quiz-answer-${index}"]`).textContent(), `${name} completes at tick`);
    }
    // Task 1 answered one tick late; the others right.
    for (const [index, completion] of expected.entries()) {
      await page.fill(`#quiz-answer-${index}`, String(index === 1 ? completion + 1 : completion));
    }
    // Paint cell (CPU 0, tick 0) right with its letter, and (CPU 0, tick 1) wrong by clicking.
    const ticks = await page.locator('#quiz-gantt tbody tr:first-child .paint-cell').count();
    const real = grid(output, ticks);
    await page.focus('#quiz-gantt [data-cpu="0"][data-tick="0"]');
    const first = real[0][0];
    await page.keyboard.press(first === null ? ' ' : names[first]);
    // Painting moved the focus on to tick 1.
    assert.equal(await page.evaluate(() => document.activeElement.dataset.tick), '1');
    // One click paints A, two paint B: pick the count that is not what really ran.
    const clicks = real[0][1] === 0 ? 2 : 1;
    for (let click = 0; click < clicks; click += 1) await page.click('#quiz-gantt [data-cpu="0"][data-tick="1"]');
    const painted = clicks === 2 ? 1 : 0;
    assert.equal(await page.textContent('#quiz-gantt [data-cpu="0"][data-tick="1"]'), names[painted]);

    await page.click('#quiz-reveal');
    await page.waitForSelector('#quiz-score');
    const n = expected.length;
    assert.match(await page.textContent('#quiz-score'), new RegExp(`^Score: ${n - 1} of ${n}`));
    // The wrong answer is marked with the right value, the others right.
    for (let index = 0; index < n; index += 1) {
      const mark = page.locator(`#quiz-mark-${index}`);
      assert.equal(await mark.getAttribute('class'), index === 1 ? 'mark wrong' : 'mark right');
      if (index === 1) assert.match(await mark.textContent(), new RegExp(`completes at ${expected[1]}$`));
    }
    // Marked cells: exactly those where the painting differs from the real chart (empty is right for idle).
    const paintedGrid = real.map((row) => row.map(() => null));
    paintedGrid[0][0] = first;
    paintedGrid[0][1] = painted;
    const differing = [];
    real.forEach((row, cpu) => row.forEach((task, tick) => {
      if (task !== paintedGrid[cpu][tick]) differing.push(`${cpu}:${tick}`);
    }));
    const marked = await page.$$eval('#quiz-gantt .wrong', (cells) => cells.map((cell) => `${cell.dataset.cpu}:${cell.dataset.tick}`));
    assert.deepEqual(marked.sort(), differing.sort());
    assert.ok(marked.includes('0:1') && !marked.includes('0:0'), marked.join(' '));
    assert.equal(await page.locator('#quiz-gantt-expected').count(), 1);

    const report = JSON.parse(await page.evaluate(() => window.tasklabLastQuiz));
    assert.deepEqual(report.input, input);
    assert.deepEqual(report.expected, names.map((name, index) => ({ name, completion: expected[index] })));
    assert.deepEqual(report.answers.map((answer) => answer.correct), expected.map((_, index) => index !== 1));
    assert.equal(report.answers[1].completion, expected[1] + 1);
    assert.equal(report.score, n - 1);
    // The step-through link opens the same question at the first disagreement.
    const href = await page.getAttribute('#quiz-step-link', 'href');
    assert.match(href, /view=step&quiz=e2e-learn&level=2&q=0&tick=\d+$/);
    assert.equal(Number(/tick=(\d+)/.exec(href)[1]), report.first_wrong_tick);
    // A count of 1: the code at once, and no next question.
    assert.equal(await page.locator('#quiz-next').count(), 0);
    assert.match(await page.textContent('#quiz-code'), /^TL-\d+-1-/);
    await page.screenshot({ path: `${SHOTS}quiz-graded-1280.png`, fullPage: true });
    assert.deepEqual(await seriousViolations(page), []);

    await page.click('#quiz-step-link');
    await page.waitForSelector('#step-view');
    assert.equal(tickOf(await stepState(page)), report.first_wrong_tick);
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the step-through walks a preemptive (round robin) run with keys and buttons and comes back exactly', async () => {
    const { page, errors, context } = await open('?preset=two-chefs&policy=rr&quantum=100&cpus=1', '#predict-step');
    // The same schedule as Predict: its makespan is the step-through's span.
    const makespan = Number.parseInt(await (await page.waitForSelector('#predicted-makespan')).textContent(), 10);
    await page.click('#predict-step');
    await page.waitForSelector('#step-view');
    assert.match(page.url(), /view=step/);
    const start = await stepState(page);
    const end = Number(/the run ends at (\d+)/.exec(start.tick)[1]);
    assert.equal(end - tickOf(start), makespan);
    assert.ok(start.reasons.length > 0 && start.reasons.every((sentence) => sentence.length > 10), start.reasons.join(' | '));
    assert.ok(start.reasons.some((sentence) => /starts on CPU 1/.test(sentence)), start.reasons.join(' | '));

    // Forward with → (focus on the Forward button), then back with ← : the same states in reverse.
    await page.focus('#step-next');
    const forward = [start];
    for (let step = 0; step < 4; step += 1) {
      await page.keyboard.press('ArrowRight');
      forward.push(await stepState(page));
    }
    const ticks = forward.map(tickOf);
    assert.ok(ticks.every((tick, index) => index === 0 || tick > ticks[index - 1]), `ticks go up: ${ticks}`);
    assert.notDeepEqual(forward[1].reasons, forward[0].reasons);
    const backward = [];
    for (let step = 0; step < 4; step += 1) {
      await page.keyboard.press('ArrowLeft');
      backward.push(await stepState(page));
    }
    assert.deepEqual(backward, forward.slice(0, 4).reverse());

    // The buttons do the same; End and Home jump to the ends.
    await page.click('#step-next');
    await page.click('#step-next');
    assert.deepEqual(await stepState(page), forward[2]);
    await page.click('#step-prev');
    assert.deepEqual(await stepState(page), forward[1]);
    await page.focus('#step-next');
    await page.keyboard.press('End');
    const last = await stepState(page);
    assert.equal(tickOf(last), end);
    assert.ok(last.reasons.some((sentence) => /completes at/.test(sentence)), last.reasons.join(' | '));
    assert.equal(await page.locator('#step-next').isDisabled(), true);
    await page.click('#step-first');
    assert.deepEqual(await stepState(page), start);

    // Tick by tick: one tick at a time; between events the sentence says nothing is decided.
    await page.selectOption('#step-mode', 'ticks');
    await page.click('#step-next');
    const one = await stepState(page);
    assert.equal(tickOf(one), tickOf(start) + 1);
    if (tickOf(one) !== ticks[1]) assert.match(one.reasons[0], /^No decision at/);
    assert.match(await page.textContent('#step-cpus'), /CPU 1: runs .* since \d+/);
    // The scrubber moves to a tick.
    await page.locator('#step-scrubber').fill(String(ticks[2]));
    assert.deepEqual((await stepState(page)).reasons, forward[2].reasons);
    for (const id of ['#step-queues', '#step-io', '#step-last', '#step-gantt']) assert.equal(await page.locator(id).count(), 1, id);
    await page.screenshot({ path: `${SHOTS}step-through-1280.png`, fullPage: true });
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a tick beyond the end opens at the end with a message; a quiz question opens at its tick', async () => {
    const { page, errors, context } = await open('?view=step&quiz=7&level=3&q=1&tick=999', '#step-view');
    const state = await stepState(page);
    const end = Number(/the run ends at (\d+)/.exec(state.tick)[1]);
    assert.equal(tickOf(state), end);
    assert.match(await page.textContent('#step-view .notice'), /asks for tick 999, but this run ends at tick \d+/);
    assert.match(await page.textContent('#step-view .story'), /Question 2 of quiz “7” \(level 3\)/);
    assert.equal(await page.locator('#step-queues h4').count() >= 1, true);
    // A bad level and count leave notices; the page still works.
    await page.goto(`${server.url}?view=quiz&quiz=x&level=9&count=999`);
    await page.waitForSelector('#quiz-view[data-input]');
    const notices = await page.textContent('body');
    assert.match(notices, /level/);
    assert.match(notices, /count/);
    assert.equal(await page.getAttribute('#quiz-view', 'data-count'), '10');
    // A quiz link without a seed gets one drawn, written in the address bar so the question can be shared.
    await page.goto(`${server.url}?view=quiz&level=2`);
    await page.waitForSelector('#quiz-view[data-input]');
    assert.match(page.url(), /\?view=quiz&quiz=\d+&level=2$/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a teacher's code from a 2-question quiz verifies, and a tampered one is refused", async () => {
    const link = 'quiz=teacher-e2e&level=1&count=2';
    const { page, errors, context } = await open(`?view=quiz&${link}`, '#quiz-view[data-input]');
    let points = 0;
    for (let question = 0; question < 2; question += 1) {
      await page.waitForSelector(`#quiz-view[data-question="${question}"]`);
      const { output } = await solve(page);
      // Question 1: all right; question 2: only the first task answered.
      for (const [index, task] of output.result.tasks.entries()) {
        if (question === 0 || index === 0) await page.fill(`#quiz-answer-${index}`, String(task.completion));
      }
      points += question === 0 ? output.result.tasks.length : 1;
      await page.click('#quiz-reveal');
      if (question === 0) {
        assert.equal(await page.locator('#quiz-code').count(), 0, 'no code before the last question');
        await page.click('#quiz-next');
      }
    }
    const code = (await page.textContent('#quiz-code')).trim();
    assert.match(code, new RegExp(`^TL-${points}-2-`));
    assert.deepEqual(errors, []);

    const check = await open(`?view=quiz-check&${link}`, '#quiz-check-code');
    await check.page.fill('#quiz-check-code', code);
    await check.page.click('#quiz-check-verify');
    assert.match(await check.page.textContent('#quiz-check-result'), new RegExp(`^Verified: ${points} of \\d+ points over 2 question`));
    assert.deepEqual(await seriousViolations(check.page), []);
    await check.page.screenshot({ path: `${SHOTS}quiz-check-1280.png`, fullPage: true });
    // A changed answer character: the check fails.
    const answers = code.split('-')[3];
    const changed = answers[0] === '2' ? '3' : '2';
    const tampered = code.replace(`-${answers}-`, `-${changed}${answers.slice(1)}-`);
    await check.page.fill('#quiz-check-code', tampered);
    await check.page.click('#quiz-check-verify');
    assert.match(await check.page.textContent('#quiz-check-result'), /^Refused: the check does not match/);
    // A score edited by hand, and another link's code.
    await check.page.fill('#quiz-check-code', code.replace(`TL-${points}-`, `TL-${points + 1}-`));
    await check.page.click('#quiz-check-verify');
    assert.match(await check.page.textContent('#quiz-check-result'), /^Refused: /);
    await check.page.goto(`${server.url}?view=quiz-check&quiz=teacher-e2e&level=1&count=3&code=${code}`);
    await check.page.waitForSelector('#quiz-check-result p');
    assert.match(await check.page.textContent('#quiz-check-result'), /^Refused: this code is for 2 question\(s\), but this link has 3/);
    assert.deepEqual(check.errors, []);
    await check.context.close();
    await context.close();
  });

  test('phone width: the step-through and a graded quiz fit and pass axe', async () => {
    const step = await open('?preset=two-chefs&policy=rr&quantum=3&cpus=2&view=step&tick=4', '#step-view', { width: 390, height: 900 });
    await step.page.screenshot({ path: `${SHOTS}step-through-390.png`, fullPage: true });
    const overflow = await step.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page scrolls sideways by ${overflow} px`);
    assert.deepEqual(await seriousViolations(step.page), []);
    await step.context.close();
    const quiz = await open('?view=quiz&quiz=phone&level=3', '#quiz-view[data-input]', { width: 390, height: 900 });
    await quiz.page.fill('#quiz-answer-0', '5');
    await quiz.page.click('#quiz-gantt [data-cpu="1"][data-tick="2"]');
    await quiz.page.click('#quiz-reveal');
    await quiz.page.waitForSelector('#quiz-score');
    await quiz.page.screenshot({ path: `${SHOTS}quiz-graded-390.png`, fullPage: true });
    const quizOverflow = await quiz.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(quizOverflow <= 1, `page scrolls sideways by ${quizOverflow} px`);
    assert.deepEqual(await seriousViolations(quiz.page), []);
    assert.deepEqual([...step.errors, ...quiz.errors], []);
    await quiz.context.close();
  });
});
