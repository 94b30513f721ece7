// `npm run build`: the npm package. The library build (dist/), its type declarations (dist/types/) and the Custom
// Elements Manifest (custom-elements.json), into the project root or, with `--out DIR`, into DIR (what the pack test
// packs, so it never races a build another test makes in dist/).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
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

export async function buildPackage(out = root) {
  const dist = join(out, 'dist');
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'lib', logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const entry = join(dist, 'hitl-classifier.js');
  writeFileSync(entry, plainWorkerUrl(readFileSync(entry, 'utf8')));

  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--declarationDir', join(dist, 'types')], {
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
