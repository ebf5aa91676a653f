// Shared by the end-to-end test and the wasm benchmark: a static server for the
// repository root on 127.0.0.1 and Debian's headless Chromium via playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdtemp } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.csv': 'text/csv',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.gz': 'application/gzip',
};

// FLASH_E2E_SITE=dist serves the built site (scripts/site.sh) instead of the repository, under
// the sub-path FLASH_E2E_PREFIX (default /flash-nas/), as GitHub Pages serves a project site.
const site = process.env.FLASH_E2E_SITE ? resolve(root, process.env.FLASH_E2E_SITE) : root;
const prefix = process.env.FLASH_E2E_SITE ? (process.env.FLASH_E2E_PREFIX || '/flash-nas/') : '/';

export async function serve() {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!pathname.startsWith(prefix)) { res.writeHead(404).end('not under the site\'s path'); return; }
    const path = normalize(`/${pathname.slice(prefix.length)}`);
    const file = join(site, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(site)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}${prefix}` };
}

export async function browser() {
  const dir = await mkdtemp(join(tmpdir(), 'flash-chromium-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// Serves the site, opens it in headless Chromium, runs `fn(arg)` in the page and
// closes both: for the benches that time the wasm core on the page's thread.
export async function inPage(fn, arg) {
  const { server, url } = await serve();
  const context = await browser();
  try {
    const page = await context.newPage();
    await page.goto(url);
    return await page.evaluate(fn, arg);
  } finally {
    await context.close();
    server.close();
  }
}
