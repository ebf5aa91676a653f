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
