// `npm run build`: the npm package, into the project root or, with `--out DIR`, into DIR (what the pack test packs,
// so it never races a build another test makes in dist/):
// - dist/hitl-classifier.js, the default entry: imports `lit` and `comlink` (the package's dependencies), so a site
//   that bundles Lit itself loads one copy;
// - dist/hitl-classifier.standalone.js: the same with Lit and Comlink bundled in, for pages without a bundler;
// - dist/react.js (`hitl-classifier/react`): the React components, importing `hitl-classifier`, `react` and
//   `@lit/react` (the app's own);
// - their type declarations (dist/types/) and the Custom Elements Manifest (custom-elements.json).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/**
 * Vite writes the worker as `new Worker(new URL(new URL(`assets/x.js`, import.meta.url).href, `` + import.meta.url))`.
 * A bundler building a site with the package (Vite, webpack 5, Parcel) follows only the plain
 * `new Worker(new URL('…', import.meta.url))` form: it then bundles the worker with its chunks and .wasm files. The
 * nested form is copied as a lone asset, whose imports then fail on the site. Same URL either way for a plain page.
 */
export function plainWorkerUrl(code) {
  const nested = /new Worker\(new URL\(new URL\((`assets\/engine\.worker-[\w-]+\.js`),import\.meta\.url\)\.href,``\+import\.meta\.url\),/g;
  const matches = code.match(nested)?.length ?? 0;
  if (matches !== 1) throw new Error(`Expected the engine worker to be created once in the entry, found ${matches}: did the Vite output change?`);
  return code.replace(nested, 'new Worker(new URL($1,import.meta.url),');
}

/**
 * The React components' source imports the elements from `../index.js`; the built file imports them from the
 * package's own name, so that the app loads the one copy its `import 'hitl-classifier'` loads.
 */
function selfReference() {
  return {
    name: 'hitl-self-reference',
    enforce: 'pre',
    resolveId(source, importer) {
      return source === '../index.js' && importer?.startsWith(join(root, 'src/react') + sep) ? { id: 'hitl-classifier', external: true } : null;
    },
  };
}

async function buildReact(dist) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [selfReference()],
    build: {
      outDir: dist,
      emptyOutDir: false,
      target: 'es2022',
      copyPublicDir: false,
      minify: true,
      lib: { entry: join(root, 'src/react/index.ts'), formats: ['es'], fileName: () => 'react.js' },
      // Lit too, should a later import reach it: never a second copy next to the app's.
      rolldownOptions: { external: [/^react(\/|$)/, /^@lit\/react(\/|$)/, /^lit(\/|$)/] },
    },
  });
}

/** Writes the three builds into `dist` (Lit's production build, as a site's own production build resolves it). */
export async function buildBundles(dist) {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    for (const mode of ['lib', 'standalone']) {
      await build({ configFile: join(root, 'vite.config.ts'), mode, logLevel: 'warn', build: { outDir: dist } });
    }
    await buildReact(dist);
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  for (const name of ['hitl-classifier.js', 'hitl-classifier.standalone.js']) {
    const entry = join(dist, name);
    writeFileSync(entry, plainWorkerUrl(readFileSync(entry, 'utf8')));
  }
}

export async function buildPackage(out = root) {
  const dist = join(out, 'dist');
  await buildBundles(dist);

  const tsc = require.resolve('typescript/bin/tsc');
  // --noCheck: declarations only (half the time); `npm run typecheck` checks the same sources.
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck', '--declarationDir', join(dist, 'types')], {
    cwd: root,
    stdio: 'inherit',
  });

  // The analyzer resolves `outdir` against the working directory: a config of our own points it at `out`.
  const scratch = mkdtempSync(join(tmpdir(), 'hitl-cem-'));
  try {
    const config = join(scratch, 'config.mjs');
    const base = JSON.stringify(join(root, 'custom-elements-manifest.config.mjs'));
    writeFileSync(config, `import base from ${base};\nexport default { ...base, outdir: ${JSON.stringify(relative(root, out) || '.')} };\n`);
    const cem = require.resolve('@custom-elements-manifest/analyzer/cem.js');
    execFileSync(process.execPath, [cem, 'analyze', '--config', config], { cwd: root, stdio: 'pipe' });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const flag = process.argv.indexOf('--out');
  await buildPackage(flag === -1 ? root : resolve(process.argv[flag + 1]));
}
