// Issue 6, "nothing injected": the built package and the built demo work under a strict Content-Security-Policy sent
// as an HTTP header (no 'unsafe-eval', no inline scripts), and nothing is refused. Also pins down exactly what the
// WASM backend needs ('wasm-unsafe-eval') and what happens without it. Runs in Node (vitest project 'e2e').
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { serveStatic } from '../../scripts/lib.mjs';

const root = resolve(import.meta.dirname, '../..');

/** What a site using the library needs, and nothing more (the README quotes it). */
const STRICT = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'self'",
].join('; ');
const WITHOUT_WASM = STRICT.replace(" 'wasm-unsafe-eval'", '');

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>strict CSP</title><script type="module" src="./app.js"></script></head>
<body>
  <hitl-classifier id="tag" model="csp-tag" labels="billing,bug" storage="memory">My invoice is wrong</hitl-classifier>
</body>
</html>`;

// External, as the policy allows no inline script. It runs the loop through the API and through the element.
const APP = `import { createClassifier } from '../lib/hitl-classifier.standalone.js';
const violations = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective + ' ' + event.blockedURI));
window.run = async (backend) => {
  const clf = await createClassifier({ name: 'csp-' + backend + '-' + Math.random(), labels: ['billing', 'bug'], backend, storage: 'memory', autoTrain: false });
  for (const [text, label] of [['I was charged twice', 'billing'], ['The app crashes when I save', 'bug'], ['Refund my last invoice', 'billing'], ['Error 500 on export', 'bug']]) {
    await clf.label(text, label);
  }
  const trained = await clf.train();
  const prediction = await clf.predict('The app crashes on save');
  const result = { backend: clf.backend, trained, label: prediction.label };
  await clf.close();
  return result;
};
window.violations = violations;
window.ready = true;
`;

let browser: Browser;
let server: Server;
let site: string;
let strictServer: Server;
let strictSite: string;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hitl-csp-'));
  const lib = join(work, 'lib');
  const demo = join(work, 'demo');
  // Own output folders: `npm run build` (dist/) may run at the same time in another test. The standalone build: the
  // page has no bundler to provide Lit.
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'standalone', root, logLevel: 'warn', build: { outDir: lib, emptyOutDir: true } });
  await build({
    configFile: join(root, 'vite.config.ts'),
    mode: 'production',
    root: join(root, 'demo'),
    logLevel: 'warn',
    build: { outDir: demo, emptyOutDir: true },
  });
  writeFileSync(join(work, 'index.html'), PAGE);
  writeFileSync(join(work, 'app.js'), APP);
  ({ server: strictServer, url: strictSite } = await serveStatic(
    { '/lib/': lib, '/demo/': demo, '/app/': work },
    { 'content-security-policy': STRICT },
  ));
  ({ server, url: site } = await serveStatic({ '/lib/': lib, '/app/': work }, { 'content-security-policy': WITHOUT_WASM }));
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  strictServer?.close();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every CSP complaint the page, its worker or the browser logs. */
function watch(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  page.on('pageerror', (error) => refused.push(`pageerror: ${error.message}`));
  return refused;
}

type RunResult = { backend: string; trained: { modelVersion: number }; label: string | null };

describe('a strict Content-Security-Policy', () => {
  test(`the package runs the whole loop, WASM backend included, under "${STRICT}"`, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const refused = watch(page);
      await page.goto(`${strictSite}/app/index.html`);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      for (const backend of ['auto', 'wasm', 'cpu']) {
        const result = await page.evaluate((b) => (window as unknown as { run(b: string): Promise<RunResult> }).run(b), backend);
        expect(result, backend).toMatchObject({ trained: { modelVersion: 1 }, label: 'bug' });
        if (backend !== 'auto') expect(result.backend).toBe(backend);
      }
      // The element renders (its styles are constructable stylesheets, which style-src 'self' allows) and predicts.
      await expect.poll(() => page.locator('hitl-classifier').getByRole('button', { name: 'billing' }).count(), { timeout: 60_000 }).toBe(1);
      await page.locator('hitl-classifier').getByRole('button', { name: 'billing' }).click();
      await expect.poll(() => page.locator('hitl-classifier').getAttribute('state'), { timeout: 60_000 }).toBe('labelled');
      expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test("without 'wasm-unsafe-eval' the WASM backend is refused with the reason, and 'auto' falls back to another backend", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site}/app/index.html`);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      const forced = await page.evaluate(async () => {
        try {
          await (window as unknown as { run(b: string): Promise<RunResult> }).run('wasm');
          return 'resolved';
        } catch (error) {
          return String((error as Error).message);
        }
      });
      expect(forced).not.toBe('resolved');
      expect(forced).toMatch(/wasm/i);
      const auto = await page.evaluate(() => (window as unknown as { run(b: string): Promise<RunResult> }).run('auto'));
      expect(auto).toMatchObject({ trained: { modelVersion: 1 }, label: 'bug' });
      expect(auto.backend).not.toBe('wasm');
    } finally {
      await context.close();
    }
  });

  test('the demo, served with the same policy as a header, classifies and learns a label, and nothing is refused', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const refused = watch(page);
      const foreign: string[] = [];
      context.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(strictSite) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
      });
      await page.goto(`${strictSite}/demo/index.html`);
      await page
        .waitForFunction(
          () => {
            // The first tag on screen that shows a prediction (the demo's drawing pad shows none until drawn on).
            const tag = [...document.querySelectorAll<HTMLElement & { prediction?: unknown }>('hitl-classifier')].find(
              (t) => t.prediction != null && t.offsetParent !== null && t.shadowRoot?.querySelector('[part~="label-button"]'),
            );
            tag?.setAttribute('data-csp-test', '');
            return tag !== undefined;
          },
          undefined,
          { timeout: 60_000 },
        )
        .catch((error: unknown) => {
          throw new Error(`The demo showed no predictions under the policy; refused: ${JSON.stringify(refused)}`, { cause: error });
        });
      const tag = page.locator('hitl-classifier[data-csp-test]');
      const button = tag.locator('[part~="label-button"]').first();
      await button.click();
      await expect.poll(() => button.getAttribute('aria-pressed'), { timeout: 60_000 }).toBe('true');
      expect(refused).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
