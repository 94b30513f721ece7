// A cross-origin-isolated page (COOP/COEP) makes tfjs choose its threaded WASM build, whose threads cannot start
// from a bundled worker: the widget used to hang on "Loading the model…" there. The built package must work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { serveStatic } from '../../scripts/lib.mjs';

const root = resolve(import.meta.dirname, '../..');
let out: string;
let page: string;
let server: Server;
let site: string;
let browser: Browser;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>isolated</title></head>
<body>
  <script type="module">
    import { createClassifier } from '/lib/hitl-classifier.standalone.js';
    window.run = async () => {
      const clf = await createClassifier({ name: 'isolated', labels: ['billing', 'bug'], storage: 'memory', autoTrain: false });
      await clf.label('I was charged twice', 'billing');
      await clf.label('The app crashes when I save', 'bug');
      await clf.label('Refund my last invoice', 'billing');
      await clf.label('Error 500 on the export page', 'bug');
      await clf.train();
      const prediction = await clf.predict('The app crashes when I save');
      const backend = clf.backend;
      await clf.close();
      return { isolated: self.crossOriginIsolated, backend, label: prediction.label };
    };
  </script>
</body></html>`;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'hitl-isolated-'));
  // The standalone build: the page has no bundler to provide Lit.
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'standalone', logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
  page = mkdtempSync(join(tmpdir(), 'hitl-isolated-page-'));
  writeFileSync(join(page, 'index.html'), PAGE);
  ({ server, url: site } = await serveStatic(
    { '/lib/': out, '/app/': page },
    { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
  ));
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  for (const dir of [out, page]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('on a cross-origin-isolated page the engine starts on WASM and learns', async () => {
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`${site}/app/index.html`);
  await tab.waitForFunction(() => typeof (window as Window & { run?: unknown }).run === 'function');
  const result = await tab.evaluate(() => (window as unknown as { run: () => Promise<unknown> }).run());
  expect(result).toEqual({ isolated: true, backend: 'wasm', label: 'bug' });
  expect(errors).toEqual([]);
  await tab.close();
});
