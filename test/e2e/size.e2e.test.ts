// Issue 7: the widget is a guest on someone else's page, so the JavaScript its main thread loads stays within
// 30 KB gzip and TensorFlow.js only ever loads in the worker. Built sizes are deterministic: this checks them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dynamicImports, fileSizes, mainThreadJs, staticGraph } from '../../scripts/bundle-size.mjs';

const root = resolve(import.meta.dirname, '../..');
const MAIN_THREAD_GZIP_LIMIT = 30 * 1024;
let out: string;

beforeAll(async () => {
  // The library build of `npm run build`, into a folder of its own: dist/ may be in use by another test.
  out = mkdtempSync(join(tmpdir(), 'hitl-size-'));
  // As `npm run build` runs it: Vitest sets NODE_ENV to 'test', and Vite would then resolve Lit's development build
  // (about 4 KB gzip more, with its dev-mode warnings), which no site ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'vite.config.ts'), mode: 'lib', logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

test('the main thread loads at most 30 KB of gzipped JavaScript', () => {
  const main = mainThreadJs(out);
  expect(main.files).toContain('hitl-classifier.js');
  expect(main.gzip, `main-thread files: ${main.files.join(', ')}`).toBeLessThanOrEqual(MAIN_THREAD_GZIP_LIMIT);
  // The figure is real: the entry alone is several KB compressed (Lit, Comlink, the element and the API).
  expect(main.gzip).toBeGreaterThan(5 * 1024);
});

test('TensorFlow.js is not in anything the main thread loads, before or after a dynamic import', () => {
  const entry = join(out, 'hitl-classifier.js');
  const mainFiles = new Set(staticGraph(entry));
  for (const file of [...mainFiles]) for (const lazy of dynamicImports(file)) for (const f of staticGraph(lazy)) mainFiles.add(f);
  for (const file of mainFiles) {
    // A message of tfjs-core's kernel registry: minification keeps strings.
    expect(readFileSync(file, 'utf8'), `${file} holds TensorFlow.js`).not.toContain("' not registered for backend '");
  }
  // …while the worker's code does hold it, so the check above can tell the two apart.
  const worker = readFileSync(entry, 'utf8').match(/assets\/engine\.worker-[\w-]+\.js/)?.[0];
  expect(worker, 'the entry names its worker chunk').toBeDefined();
  const workerFiles = [...staticGraph(join(out, worker!))];
  expect(workerFiles.some((file) => readFileSync(file, 'utf8').includes("' not registered for backend '"))).toBe(true);
  expect(workerFiles.reduce((sum, file) => sum + fileSizes(file).gzip, 0)).toBeGreaterThan(MAIN_THREAD_GZIP_LIMIT);
});
