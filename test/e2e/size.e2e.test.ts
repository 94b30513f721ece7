// Issue 7: the widget is a guest on someone else's page, so the JavaScript its main thread loads stays small and
// TensorFlow.js only ever loads in the worker. Issue 21: the default entry imports Lit and Comlink instead of bundling
// them, so what it costs a site already on Lit is counted without Lit. Built sizes are deterministic: this checks them.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildBundles } from '../../scripts/build-package.mjs';
import { dynamicImports, fileSizes, mainThreadJs, staticGraph } from '../../scripts/bundle-size.mjs';

const root = resolve(import.meta.dirname, '../..');
/** The default entry with Comlink, without Lit: below the 21.5 KB gzip that the entry cost without Lit before. */
const WITHOUT_LIT_GZIP_LIMIT = 21.5 * 1024;
/** Everything bundled (the standalone build: what a page without Lit pays). */
const WITH_LIT_GZIP_LIMIT = 30 * 1024;
/** A string of lit-element's own code (it registers its version there): minification keeps strings. */
const LIT_MARK = 'litElementVersions';
let out: string;
let comlink: { gzip: number; members: string[] };

/** The Comlink members the main thread's sources use (`Comlink.wrap(…)`, `import { proxy } from 'comlink'`). */
function comlinkMembers(): string[] {
  const members = new Set<string>();
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of files) {
    const code = readFileSync(join(root, 'src', file), 'utf8');
    // Lower-case members are values; Comlink.Remote and Comlink.TransferHandler are types.
    for (const m of code.matchAll(/\bComlink\.([a-z]\w*)/g)) members.add(m[1]!);
    for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'comlink'/g)) {
      for (const name of m[1]!.split(',').map((s) => s.trim())) if (name && !name.startsWith('type ')) members.add(name.split(/\s+as\s+/)[0]!);
    }
  }
  return [...members].sort();
}

/** What a site's bundler adds for the entry's `import … from 'comlink'`: those members, tree-shaken and minified. */
async function comlinkAsBundled(dir: string): Promise<{ gzip: number; members: string[] }> {
  const members = comlinkMembers();
  const id = '\0comlink-use';
  await build({
    configFile: false,
    root,
    logLevel: 'error',
    plugins: [
      {
        name: 'comlink-use',
        resolveId: (source) => (source === id ? id : null),
        load: (source) => (source === id ? `import * as C from 'comlink';\nglobalThis.used = [${members.map((m) => `C.${m}`).join(', ')}];\n` : null),
      },
    ],
    build: {
      outDir: dir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      modulePreload: false,
      rolldownOptions: { input: id, output: { entryFileNames: 'comlink.js' } },
    },
  });
  return { gzip: fileSizes(join(dir, 'comlink.js')).gzip, members };
}

beforeAll(async () => {
  // The builds of `npm run build` (Lit's production build, as a site's own build resolves it), into a folder of
  // their own: dist/ may be in use by another test.
  out = mkdtempSync(join(tmpdir(), 'hitl-size-'));
  await buildBundles(out);
  comlink = await comlinkAsBundled(join(out, 'comlink'));
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

test('the default entry loads under 21.5 KB gzip on the main thread, counted without Lit', () => {
  const own = mainThreadJs(out);
  // One file: the modules shared with the lazily loaded chunks (the ranker, the tools) stay in the entry.
  expect(own.files).toEqual(['hitl-classifier.js']);
  const code = readFileSync(join(out, 'hitl-classifier.js'), 'utf8');
  expect(code, 'the default entry must import Lit, not bundle it').not.toContain(LIT_MARK);
  expect(code).toMatch(/from\s*["']lit["']/);
  // Comlink is imported by name too; a site's bundler adds the part the entry uses (counted as one more file).
  expect(comlink.members).toContain('wrap');
  expect(comlink.gzip, 'most of Comlink, which is about 2 KB gzip whole').toBeGreaterThan(1024);
  const withoutLit = own.gzip + comlink.gzip;
  console.info(`main thread, gzip: entry ${own.gzip} B + Comlink ${comlink.gzip} B (${comlink.members.join(', ')}) = ${withoutLit} B without Lit`);
  expect(withoutLit).toBeLessThan(WITHOUT_LIT_GZIP_LIMIT);
  // The figure is real: the element and the API alone are many KB compressed.
  expect(own.gzip).toBeGreaterThan(10 * 1024);
});

test('the standalone build, Lit and Comlink included, loads at most 30 KB gzip on the main thread', () => {
  const all = mainThreadJs(out, 'hitl-classifier.standalone.js');
  expect(all.files).toEqual(['hitl-classifier.standalone.js']);
  const code = readFileSync(join(out, 'hitl-classifier.standalone.js'), 'utf8');
  expect(code).toContain(LIT_MARK);
  expect(code).not.toMatch(/from\s*["'](lit|comlink)[/"']/);
  console.info(`main thread, gzip: standalone ${all.gzip} B with Lit and Comlink`);
  expect(all.gzip).toBeLessThanOrEqual(WITH_LIT_GZIP_LIMIT);
  // More than the default entry by about Lit's size, which the test above does not count.
  expect(all.gzip - mainThreadJs(out).gzip).toBeGreaterThan(4 * 1024);
});

test('TensorFlow.js is not in anything the main thread loads, before or after a dynamic import', () => {
  for (const name of ['hitl-classifier.js', 'hitl-classifier.standalone.js']) {
    const entry = join(out, name);
    const mainFiles = new Set(staticGraph(entry));
    for (const file of [...mainFiles]) for (const lazy of dynamicImports(file)) for (const f of staticGraph(lazy)) mainFiles.add(f);
    expect(mainFiles.size, `${name} has lazily loaded chunks`).toBeGreaterThan(3);
    for (const file of mainFiles) {
      // A message of tfjs-core's kernel registry: minification keeps strings.
      expect(readFileSync(file, 'utf8'), `${file} holds TensorFlow.js`).not.toContain("' not registered for backend '");
    }
    // …while the worker's code does hold it, so the check above can tell the two apart.
    const worker = readFileSync(entry, 'utf8').match(/assets\/engine\.worker-[\w-]+\.js/)?.[0];
    expect(worker, `${name} names its worker chunk`).toBeDefined();
    const workerFiles = [...staticGraph(join(out, worker!))];
    expect(workerFiles.some((file) => readFileSync(file, 'utf8').includes("' not registered for backend '"))).toBe(true);
    expect(workerFiles.reduce((sum, file) => sum + fileSizes(file).gzip, 0)).toBeGreaterThan(WITH_LIT_GZIP_LIMIT);
  }
});
