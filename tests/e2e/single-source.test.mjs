// One source of truth: the page holds no grammar, default or range of the core
// (it asks the core), and the wasm shell exports only what the page, the wasm
// tests and the browser bench use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { root, serve, browser } from './harness.mjs';

const read = (path) => readFile(join(root, path), 'utf8');

async function pageSources() {
  const files = (await readdir(join(root, 'www'))).filter((f) => f.endsWith('.js'));
  const out = await Promise.all(files.map(async (f) => [`www/${f}`, await read(`www/${f}`)]));
  out.push(['index.html', await read('index.html')]);
  return out;
}

test('no page file holds a goal or space grammar, a default or a range of the core', async () => {
  // What the core owns, as it would be written if the page re-implemented it.
  const forbidden = [
    [/max-accuracy|min-(latency|energy|area|memory|edp)|pareto-(latency|energy|area|memory)/, 'an objective'],
    [/latency<=|['"]<=['"]|['"]>=['"]/, 'the goal grammar'],
    [/0\.\.49|['"]\*['"]|cells=/, 'a space default or the space grammar'],
    [/9007199254740991|4294967295/, 'a seed range'],
    [/<input[^>]*\b(min|max|value)="\d|\.\.=\d/, 'a numeric range or default'],
    [/<option[^>]*value="(?!pareto"|shgo"|layers"|diagram"|predictor")/, 'a choice list the core owns (only the export-chart list is the page\'s own)'],
    [/['"]default['"]/, 'the default-space alias'],
    [/v=1&/, 'a hand-built link'],
  ];
  for (const [file, text] of await pageSources()) {
    // Help text in index.html may show examples inside <code>; the rule is for markup and code.
    const code = file === 'index.html' ? text.replace(/<code>[^<]*<\/code>/g, '') : text.replace(/^\s*\/\/.*$/gm, '');
    for (const [pattern, what] of forbidden) {
      const m = pattern.exec(code);
      assert.equal(m, null, `${file} holds ${what}: ${m?.[0]}`);
    }
  }
});

test('every export of the page\'s wasm is used by the page, a wasm test or the browser bench', async () => {
  const glue = await read('www/pkg/flash_nas.js');
  const exported = [...glue.matchAll(/^export (?:function|class) (\w+)/gm)].map((m) => m[1]);
  assert.ok(exported.length >= 20, exported.join());
  const users = (await pageSources()).map(([, t]) => t).join('\n')
    + await read('tests/wasm.rs') + await read('tests/e2e/bench.mjs');
  const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const name of exported) {
    if (name === 'initSync') continue; // wasm-bindgen's own loader
    const used = new RegExp(`\\b(${name}|${snake(name)})\\b`).test(users);
    assert.ok(used, `${name} is exported by src/wasm.rs but nothing uses it`);
  }
});

let server;
let url;
let context;
before(async () => {
  ({ server, url } = await serve());
  context = await browser();
});
after(async () => {
  await context?.close();
  server?.close();
});

test('the page\'s controls are the core\'s schema: choices, labels and ranges', async () => {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.runs || 0) > 0, null, { timeout: 30000 });
  const { schema, controls } = await page.evaluate(async () => {
    const core = await import('./www/pkg/flash_nas.js');
    const options = (id) => [...document.getElementById(id).options].map((o) => ({ value: o.value, label: o.textContent }));
    const range = (id) => { const i = document.getElementById(id); return { min: Number(i.min), max: Number(i.max) }; };
    return {
      schema: core.schema(),
      controls: {
        objective: options('objective'),
        datasets: options('space-dataset'),
        families: options('space-family'),
        sampleSets: options('sample-set'),
        solvers: options('solver'),
        costs: options('cost'),
        x: options('shgo-x'),
        y: options('shgo-y'),
        cells: range('space-cells'),
        seed: range('seed'),
        measure: range('measure-n'),
        train: range('train-k'),
        trainSeed: range('train-seed'),
        limits: [...document.querySelectorAll('#limits input')].map((i) => ({ key: i.dataset.limit, min: Number(i.min), max: Number(i.max) })),
        panels: [...document.querySelectorAll('#hide-panels input')].map((i) => i.value),
      },
    };
  });
  const choices = (list) => list.map(({ value, label }) => ({ value, label }));
  assert.deepEqual(controls.objective, choices(schema.objectives));
  assert.deepEqual(controls.datasets, choices(schema.datasets));
  assert.deepEqual(controls.families, choices(schema.families));
  assert.deepEqual(controls.sampleSets, choices(schema.sample_sets));
  assert.deepEqual(controls.solvers, choices(schema.solvers));
  assert.deepEqual(controls.costs, choices(schema.costs));
  assert.deepEqual(controls.x, choices(schema.coords));
  assert.deepEqual(controls.y, choices(schema.coords));
  const number = (key) => schema.numbers.find((n) => n.key === key);
  const range = ({ min, max }) => ({ min, max });
  assert.deepEqual(controls.cells, range(schema.cells));
  assert.deepEqual(controls.seed, range(schema.seed));
  assert.deepEqual(controls.measure, range(number('measure-networks')));
  assert.deepEqual(controls.train, range(number('train-networks')));
  assert.deepEqual(controls.trainSeed, range(number('train-seed')));
  assert.deepEqual(controls.limits, schema.limits.map((l) => ({ key: l.key, min: l.min, max: l.max })));
  assert.deepEqual(controls.panels, schema.panels.map((p) => p.value));
  await page.close();
});
