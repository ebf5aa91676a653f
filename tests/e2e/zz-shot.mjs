import { serve, browser } from './harness.mjs';
const { server, url } = await serve();
const context = await browser();
const page = await context.newPage();
await page.setViewportSize({ width: 1400, height: 900 });
await page.goto(url);
await page.waitForFunction(() => Number(document.body.dataset.runs || 0) >= 1, null, { timeout: 30000 });
await page.waitForTimeout(300);
await page.screenshot({ path: '/tmp/shot.png' });
const ids = ['learn','status','panel-result','result-message','result-metrics','r-arch','binding','diagram-box','panel-pareto','pareto-chart'];
for (const id of ids) { const b = await page.locator('#'+id).boundingBox(); console.log(id, b && Math.round(b.y), b && Math.round(b.height)); }
const nav = await page.locator('nav.share').boundingBox(); console.log('nav', Math.round(nav.y), Math.round(nav.height));
await context.close(); server.close();
