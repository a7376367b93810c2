// Checks of the code's shape that the issue "Structure first" asks to keep: no import cycle between the web
// crate's modules, no file under web/src over 500 lines, and each policy id written once in non-test source.
// Plain file reading: it needs no build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const WEB_SRC = join(ROOT, 'web/src');

function rustFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? rustFiles(path) : name.endsWith('.rs') ? [path] : [];
  });
}

/** The module path of a file: web/src/panels/live.rs -> ['panels', 'live']; main.rs -> []. */
function modulePath(file) {
  const parts = relative(WEB_SRC, file).replace(/\.rs$/, '').split('/');
  if (parts.at(-1) === 'mod' || parts.at(-1) === 'main') parts.pop();
  return parts;
}

/** The file of the longest existing module that `segments` starts with. */
function resolve(segments, files) {
  for (let length = segments.length; length > 0; length -= 1) {
    const key = segments.slice(0, length).join('::');
    if (files.has(key)) return key;
  }
  return null;
}

/** Modules named by `crate::a::b` paths in a file (use declarations and inline paths, braces expanded). */
function importedModules(source, files) {
  const found = new Set();
  const code = source.replace(/\/\/.*$/gm, '');
  for (const match of code.matchAll(/crate::([A-Za-z0-9_:]+)(::\{([^}]*)\})?/g)) {
    const base = match[1].split('::').filter(Boolean);
    const heads = match[3] ? match[3].split(',').map((item) => item.trim().split('::')[0]) : [''];
    for (const head of heads) {
      const segments = head && /^[a-z_]+$/.test(head) ? [...base, head] : base;
      const module = resolve(segments, files);
      if (module !== null) found.add(module);
    }
  }
  return found;
}

test('no import cycle between the modules of web/src', () => {
  const sources = new Map(rustFiles(WEB_SRC).map((file) => [modulePath(file).join('::'), readFileSync(file, 'utf8')]));
  // A test module (state/tests.rs) is part of its parent; it is not a module others import.
  const files = new Map([...sources].filter(([module]) => !module.endsWith('::tests')));
  const edges = new Map();
  for (const [module, source] of sources) {
    const owner = module.endsWith('::tests') ? module.replace(/::tests$/, '') : module;
    const targets = edges.get(owner) ?? new Set();
    for (const target of importedModules(source, files)) if (target !== owner) targets.add(target);
    edges.set(owner, targets);
  }
  assert.ok(edges.get('app').has('state') && edges.get('panels::results').has('widgets'), 'the scan finds imports');
  const state = new Map();
  const stack = [];
  const visit = (module) => {
    state.set(module, 'open');
    stack.push(module);
    for (const target of edges.get(module) ?? []) {
      if (state.get(target) === 'open') {
        assert.fail(`import cycle: ${[...stack.slice(stack.indexOf(target)), target].join(' -> ')}`);
      }
      if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(module, 'done');
  };
  for (const module of edges.keys()) if (!state.has(module)) visit(module);
  // The leaf takes nothing from the app.
  assert.deepEqual([...edges.get('widgets')], [], 'widgets imports nothing from the app');
  assert.ok(![...edges.get('state')].some((target) => ['app', 'browser', 'runner'].includes(target) || target.startsWith('panels')),
    `state stays pure: ${[...edges.get('state')]}`);
  assert.ok(!sources.get('state').includes('web_sys'), 'state uses no web_sys');
});

test('no file under web/src is over 500 lines, and app.rs is wiring only', () => {
  for (const file of rustFiles(WEB_SRC)) {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    assert.ok(lines <= 500, `${relative(ROOT, file)} has ${lines} lines`);
  }
  const app = readFileSync(join(WEB_SRC, 'app.rs'), 'utf8').split('\n').length;
  assert.ok(app <= 250, `app.rs has ${app} lines`);
});

test('each policy id is written in one non-test source file', () => {
  const sourceDirs = ['crates/tasklab-core/src', 'crates/tasklab-engine/src', 'crates/tasklab-cli/src', 'web/src']
    .map((dir) => join(ROOT, dir))
    .filter(existsSync);
  const files = sourceDirs.flatMap(rustFiles).filter((file) => !file.includes('/tests'));
  for (const id of ['rr', 'fcfs', 'sjf', 'srtf', 'priority', 'priority-preemptive', 'mlfq']) {
    // The code without comments, without serde attributes (the simulator's JSON tags, which a core test holds
    // equal to the ids) and without its #[cfg(test)] modules (they sit at the end of a file here).
    const code = (file) => readFileSync(file, 'utf8').split('#[cfg(test)]')[0]
      .replace(/\/\/.*$/gm, '').replace(/#\[serde\([^\]]*\]/g, '');
    const holders = files.filter((file) => code(file).includes(`"${id}"`));
    assert.deepEqual(holders.map((file) => relative(ROOT, file)), ['crates/tasklab-core/src/policy.rs'], id);
  }
});
