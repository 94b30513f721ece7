// Sizes of the built package as a page loads it: what the main thread must load (the entry's static imports)
// and gzip sizes. Shared by scripts/bench-perf.mjs and test/e2e/size.e2e.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const STATIC = /(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g;
const DYNAMIC = /import\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g;

/** Files an ES module loads before it runs (its static imports, transitively), itself included. */
export function staticGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(STATIC)) visit(join(dirname(file), match[1]));
  };
  visit(entry);
  return seen;
}

/** Relative paths a module may load later with import("./…"). */
export function dynamicImports(file) {
  return [...readFileSync(file, 'utf8').matchAll(DYNAMIC)].map((m) => join(dirname(file), m[1]));
}

const cache = new Map();
/** Raw and gzip (level 9) bytes of a file. */
export function fileSizes(file) {
  if (!cache.has(file)) {
    const bytes = readFileSync(file);
    cache.set(file, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return cache.get(file);
}

/** The main-thread JavaScript of a build: the entry and everything it imports statically. */
export function mainThreadJs(distDir, entry = 'hitl-classifier.js') {
  const files = [...staticGraph(join(distDir, entry))];
  return files.reduce(
    (sum, file) => ({ raw: sum.raw + fileSizes(file).raw, gzip: sum.gzip + fileSizes(file).gzip, files: [...sum.files, relative(distDir, file)] }),
    { raw: 0, gzip: 0, files: [] },
  );
}
