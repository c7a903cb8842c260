/**
 * Shared set-up for the Chromium tests: Debian's chromium driven by playwright-core, pages
 * served by the project's static server on 127.0.0.1, console errors collected.
 */
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

export const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
};

/**
 * Starts a server over the repository (optionally with a CSP on HTML) and a browser.
 * @param {{ csp?: string, root?: string }} [o]
 */
export async function start(o = {}) {
  const requests = [];
  const server = await serveStatic({ root: o.root ?? ROOT, csp: o.csp, log: (r) => requests.push(r) });
  const browser = await chromium.launch(LAUNCH);
  return {
    server,
    browser,
    requests,
    url: (path) => `${server.url}${path}`,
    /** Opens a test page (the ES module one unless told) once it has set window.T up. */
    async ready(context, path = '/tests/browser/pages/esm.html') {
      const p = await open(context, `${server.url}${path}`);
      await p.waitForSelector('body[data-ready=yes]');
      return p;
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Opens a page and records console errors and page errors in `errors`. */
export async function open(context, url) {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => {
    /* the browser's own favicon request is not the page's doing */
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) page.errors.push(m.text());
  });
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url);
  return page;
}
