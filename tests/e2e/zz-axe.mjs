import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { root, serve, browser } from './harness.mjs';
const { server, url } = await serve();
const context = await browser();
const page = await context.newPage();
await page.setViewportSize({ width: 1400, height: 900 });
const axeSource = await readFile(join(root, 'tests/e2e/node_modules/axe-core/axe.min.js'), 'utf8');
for (const [q, dark] of [['', false], ['?v=1&goal=pareto-energy', false], ['', true]]) {
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  await page.goto(url + q);
  await page.waitForFunction(() => Number(document.body.dataset.runs || 0) >= 1, null, { timeout: 30000 });
  await page.evaluate(axeSource);
  const v = await page.evaluate(async () => (await axe.run(document)).violations.map((x) => ({ id: x.id, impact: x.impact, help: x.help, n: x.nodes.length, t: x.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 160)) })));
  console.log(q, dark, JSON.stringify(v, null, 1));
}
await context.close(); server.close();
