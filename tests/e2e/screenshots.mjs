// The screenshots docs/img/ shows (issue 39): the first screen and two lessons, each at
// 1400×900 and 375×800, taken from the page as a visitor opens them. Run after
// `bash scripts/site.sh`: `FLASH_E2E_SITE=dist node tests/e2e/screenshots.mjs`.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { root, serve, browser } from './harness.mjs';

const lessons = JSON.parse(await readFile(join(root, 'data/lessons.json'), 'utf8')).lessons;
const { server, url } = await serve();
const context = await browser();
const runs = (p) => p.evaluate(() => Number(document.body.dataset.runs || 0));
try {
  for (const [width, height] of [[1400, 900], [375, 800]]) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(url);
    await page.waitForFunction(() => Number(document.body.dataset.runs || 0) >= 1, null, { timeout: 60000 });
    await page.screenshot({ path: join(root, `docs/img/first-screen-${width}x${height}.png`) });
    for (const id of ['trade-off', 'small-space']) {
      const lesson = lessons.find((l) => l.id === id);
      if (!(await page.isVisible(`#lesson-${id} a`))) await page.click('#learn summary');
      const n = await runs(page);
      await page.click(`#lesson-${id} a`);
      await page.waitForFunction((b) => Number(document.body.dataset.runs || 0) > b, n, { timeout: 60000 });
      await page.click('#lesson-pin details:nth-of-type(1) summary');
      await page.locator('#lesson-pin').scrollIntoViewIfNeeded();
      await page.evaluate(() => document.getElementById('lesson-pin').scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(root, `docs/img/lesson-${lesson.id}-${width}x${height}.png`) });
    }
    await page.close();
  }
  console.log('docs/img/: first-screen, lesson-trade-off, lesson-small-space at 1400x900 and 375x800');
} finally {
  await context.close();
  server.close();
}
