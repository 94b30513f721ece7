// The built package, as a site without a bundler would use it: `npm run build`, then a plain HTML page on
// a static server imports the standalone build (Lit and Comlink bundled in) from an unrelated path and runs the
// whole loop in real Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { serveStatic } from '../../scripts/lib.mjs';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'dist');
let browser: Browser;
let server: Server;
let site: string;
let requests: string[];
let page: string;

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>plain page</title></head>
<body>
  <hitl-classifier id="tag" model="plain-tag" labels="billing,bug" storage="memory">My invoice is wrong</hitl-classifier>
  <script type="module">
    import { createClassifier } from '../../vendor/hitl/hitl-classifier.standalone.js';
    window.run = async (name) => {
      const clf = await createClassifier({ name, labels: ['billing', 'bug'], autoTrain: false });
      const before = await clf.predict('The app crashes when I save');
      await clf.label('I was charged twice', 'billing');
      await clf.label('The app crashes when I save', 'bug');
      await clf.label('Refund my last invoice', 'billing');
      await clf.label('Error 500 on the export page', 'bug');
      const trained = await clf.train();
      const after = await clf.predict('The app crashes when I save');
      const stats = await clf.stats();
      await clf.close();
      return { before, after, trained, stats, backend: clf.backend };
    };
    // Reload check: the same name on a new page must find the labels and the model and answer the same.
    window.persisted = async (name, train) => {
      const clf = await createClassifier({ name, labels: ['billing', 'bug'], autoTrain: false });
      if (train) {
        await clf.label('I was charged twice', 'billing', { annotator: 'ana' });
        await clf.label('The app crashes when I save', 'bug', { annotator: 'ana' });
        await clf.label('Refund my last invoice', 'billing', { annotator: 'ana' });
        await clf.train();
      }
      const prediction = await clf.predict('Please refund the double charge');
      const stats = await clf.stats();
      const stored = await clf.getLabel('I was charged twice');
      await clf.close();
      return { prediction, stats, stored };
    };
    window.ready = true;
  </script>
</body>
</html>`;

beforeAll(async () => {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  page = mkdtempSync(join(tmpdir(), 'hitl-plain-page-'));
  writeFileSync(join(page, 'page.html'), PAGE);
  ({ server, url: site, requests } = await serveStatic({ '/vendor/hitl/': dist, '/app/deep/': page }));
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (page) rmSync(page, { recursive: true, force: true });
});

test('package.json exports name files that the build wrote, with types', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
  const entry = pkg.exports['.']!;
  expect(existsSync(join(root, entry.import!))).toBe(true);
  expect(existsSync(join(root, entry.types!))).toBe(true);
  const types = readFileSync(join(root, entry.types!), 'utf8');
  expect(types).toMatch(/createClassifier/);
  // Neither entry holds TensorFlow.js: each only knows the worker chunk's relative URL.
  const main = readFileSync(join(root, entry.import!), 'utf8');
  const standalone = readFileSync(join(dist, 'hitl-classifier.standalone.js'), 'utf8');
  for (const code of [main, standalone]) {
    expect(code).toMatch(/new URL\(`?["']?assets\/engine\.worker-[\w-]+\.js/);
    expect(code).not.toMatch(/tfjs-core|registerKernel/);
  }
  // The default entry imports Lit and Comlink by name (a site's bundler provides them); the standalone one bundles them.
  expect(main).toMatch(/from\s*["']lit["']/);
  expect(main).toMatch(/from\s*["']comlink["']/);
  expect(standalone).not.toMatch(/from\s*["'](lit|comlink)[/"']/);
});

test('a plain HTML page imports dist/ from another path and runs the whole loop', async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const foreign: string[] = [];
  tab.on('request', (request) => {
    if (!request.url().startsWith(site) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) foreign.push(request.url());
  });
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`${site}/app/deep/page.html`);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);

  const result = await tab.evaluate(
    (name) => (window as unknown as { run(name: string): Promise<Record<string, unknown>> }).run(name),
    `plain-${Date.now()}`,
  );
  expect(result.before).toMatchObject({ label: null, needsReview: true, modelVersion: 0 });
  expect(result.after).toMatchObject({ label: 'bug', modelVersion: 1 });
  expect(result.trained).toMatchObject({ modelVersion: 1, examples: 4 });
  expect(result.backend).toBe('wasm');

  // Importing the standalone entry defined the element, and it classifies its own text.
  expect(await tab.evaluate(() => customElements.get('hitl-classifier') !== undefined)).toBe(true);
  await expect.poll(() => tab.getByRole('button', { name: 'billing' }).count()).toBe(1);

  // The worker and the wasm binary came from dist/, relative to the entry; nothing else was fetched.
  expect(requests.some((path) => /^\/vendor\/hitl\/assets\/engine\.worker-[\w-]+\.js$/.test(path))).toBe(true);
  expect(requests.some((path) => /^\/vendor\/hitl\/assets\/tfjs-backend-wasm[\w-]*\.wasm$/.test(path))).toBe(true);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});

test('after a reload, a new page finds every label and the model, and predicts the same', async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${site}/app/deep/page.html`);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const name = `reload-${Date.now()}`;
  type Result = {
    prediction: { label: string; scores: Record<string, number>; modelVersion: number };
    stats: Record<string, unknown>;
    stored: unknown;
  };
  const persisted = (train: boolean) =>
    tab.evaluate(([n, t]) => (window as unknown as { persisted(n: string, t: boolean): Promise<Result> }).persisted(n, t), [name, train] as const);
  const before = await persisted(true);
  await tab.reload();
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const after = await persisted(false);
  expect(after.stats).toMatchObject({ examples: 3, byLabel: { billing: 2, bug: 1 }, modelVersion: 1 });
  expect(after.stored).toMatchObject({ label: 'billing', annotator: 'ana' });
  expect(after.prediction.label).toBe(before.prediction.label);
  expect(after.prediction.modelVersion).toBe(1);
  for (const label of ['billing', 'bug']) expect(after.prediction.scores[label]).toBeCloseTo(before.prediction.scores[label]!, 5);
  await context.close();
});
