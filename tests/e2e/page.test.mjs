// End to end: the page in headless Chromium shows what the native core computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { root, serve, browser } from './harness.mjs';

const golden = async (name) => JSON.parse(await readFile(join(root, 'tests/golden', name), 'utf8'));
const fmt = new Intl.NumberFormat('en-US');
let server, url, context, page;
const consoleErrors = [];

before(async () => {
  ({ server, url } = await serve());
  context = await browser();
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status').hidden, null, { timeout: 30000 });
});

after(async () => {
  await context?.close();
  server?.close();
});

test('the default architecture shows the native numbers', async () => {
  const want = await golden('describe-flash-dense.json');
  assert.equal(await page.inputValue('#arch'), want.arch);
  assert.equal(await page.textContent('#nn-degree'), want.nn_degree.toFixed(3));
  assert.equal(await page.textContent('#params'), fmt.format(want.totals.params));
  assert.equal(await page.textContent('#macs'), fmt.format(want.totals.macs));
  assert.equal(await page.locator('#layers tbody tr').count(), want.layers.length);
});

test('typing updates the numbers and a bad value is explained inline', async () => {
  const want = await golden('describe-resnet20.json');
  await page.fill('#arch', want.arch);
  assert.equal(await page.textContent('#params'), fmt.format(want.totals.params));
  assert.equal(await page.textContent('#nn-degree'), want.nn_degree.toFixed(3));
  await page.fill('#arch', 'cifar10/res(shortcut=pad)/d0w16-d3w32-d3w64');
  const message = await page.textContent('#arch-error');
  assert.match(message, /cell 1 depth d = 0/);
  assert.match(message, /1\.\.=128/);
  assert.equal(await page.getAttribute('#arch', 'aria-invalid'), 'true');
  // The last valid result stays on screen.
  assert.equal(await page.textContent('#params'), fmt.format(want.totals.params));
  await page.fill('#arch', want.arch);
  assert.equal(await page.isHidden('#arch-error'), true);
});

test('choosing a classic network fills the field', async () => {
  await page.selectOption('#examples', { label: 'MobileNetV2 1.0 (224)' });
  assert.equal(await page.textContent('#params'), fmt.format(3504872));
  await page.fill('#arch', 'cifar10/dense/d2w8t0');
  assert.equal(await page.inputValue('#examples'), '', 'an edited network is no longer the classic');
});

test('the space count is exact and updates as you type', async () => {
  const want = await golden('space-default.json');
  assert.equal(await page.inputValue('#space'), want.space);
  assert.equal(await page.textContent('#count'), fmt.format(BigInt(want.count)));
  await page.fill('#space', 'cifar10/dense/cells=4;d=2..11;w=8..64:8;t=0..49');
  assert.equal(await page.textContent('#count'), fmt.format(4000n ** 4n));
  await page.fill('#space', 'cifar10/dense/cells=3;d=9..2');
  assert.match(await page.textContent('#space-error'), /first value is at most its last/);
  assert.equal(await page.textContent('#count'), fmt.format(4000n ** 4n));
});

test('the predictor panel shows the native fit of the shipped digits set', async () => {
  const want = await golden('fit-digits.json');
  await page.waitForFunction(() => document.getElementById('fit-n').textContent !== '–');
  assert.equal(await page.textContent('#fit-n'), String(want.samples));
  const chosen = want.candidates.find((c) => JSON.stringify(c.model) === JSON.stringify(want.chosen.model));
  assert.equal(await page.textContent('#fit-model'), chosen.name);
  assert.equal(await page.textContent('#fit-mae'), chosen.loo_mae.toFixed(4));
  assert.match(await page.textContent('#provenance'), /command: flash train --dataset digits/);
  await page.selectOption('#sample-set', 'data/samples/mnist.csv');
  await page.waitForFunction(() => /mnist/.test(document.getElementById('provenance').textContent));
  assert.ok(Number(await page.textContent('#fit-n')) >= 50);
});

test('training in the worker adds a network to the digits set, and cancel stops it', async () => {
  const before = Number((await golden('fit-digits.json')).samples);
  await page.fill('#train-k', '0');
  await page.click('#train-start');
  assert.match(await page.textContent('#train-error'), /Networks = 0 is not allowed: allowed 1\.\.=20/);
  await page.fill('#train-k', '1');
  await page.fill('#train-seed', '7');
  await page.click('#train-start');
  await page.waitForSelector('#trained tbody tr', { timeout: 180000 });
  await page.waitForFunction(() => !document.getElementById('train-start').disabled, null, { timeout: 30000 });
  assert.equal(await page.textContent('#fit-n'), String(before + 1));
  assert.equal(await page.inputValue('#sample-set'), 'data/samples/digits.csv');
  const acc = Number(await page.textContent('#trained tbody tr td:nth-child(3)'));
  assert.ok(acc > 0.1 && acc <= 1, `accuracy ${acc}`);
  // Cancel mid-run: the worker goes, the page stays usable and keeps what it had.
  await page.fill('#train-k', '5');
  await page.click('#train-start');
  await page.waitForFunction(() => /Network 1 of 5/.test(document.getElementById('train-status').textContent), null, { timeout: 60000 });
  await page.click('#train-cancel');
  assert.match(await page.textContent('#train-status'), /Cancelled/);
  assert.equal(await page.isEnabled('#train-start'), true);
  assert.equal(await page.textContent('#fit-n'), String(before + 1));
  assert.equal(await page.isHidden('#train-error'), true);
});

test('no console errors, and a screenshot for people to look at', async () => {
  await page.fill('#arch', 'cifar10/dense/d4w32t10-d6w48t20-d3w16t0');
  await page.fill('#space', 'cifar10/dense/cells=3;d=2..11;w=8..64:8;t=0..49');
  await mkdir(join(root, 'target/e2e'), { recursive: true });
  await page.screenshot({ path: join(root, 'target/e2e/page.png'), fullPage: true });
  assert.deepEqual(consoleErrors, []);
});

test('a phone-width screen has no horizontal page scroll', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  await page.screenshot({ path: join(root, 'target/e2e/page-phone.png'), fullPage: true });
});
