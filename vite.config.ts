import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, WEBGPU_ARGS, findChromium } from './scripts/chromium.mjs';

const root = import.meta.dirname;

// Pre-bundled up front: a dependency discovered mid-run makes Vite re-optimize and reload the test page.
const optimizeDeps = {
  include: [
    'comlink',
    'idb',
    'lit',
    'lit/decorators.js',
    'lit/directives/class-map.js',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgl',
    '@tensorflow/tfjs-backend-webgpu',
    '@tensorflow/tfjs-layers',
    '@tensorflow/tfjs-converter',
    // The accessibility and React tests (issue 8).
    'axe-core',
    'react',
    'react/jsx-runtime',
    'react/jsx-dev-runtime',
    'react-dom/client',
    '@lit/react',
  ],
};

/**
 * tfjs-converter names weight files `group1-shard1of7`: no extension, which Vite's dev server takes for a JavaScript
 * module to transform (and fails on). Served as bytes instead, as any static server (or a site's public/) does, so
 * the tests can load a text encoder straight from node_modules.
 */
function weightShards(): Plugin {
  return {
    name: 'hitl-weight-shards',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
        const file = resolve(root, `.${path}`);
        if (!/\/group\d+-shard\d+of\d+$/.test(path) || !file.startsWith(root + sep)) return next();
        readFile(file).then(
          (bytes) => {
            res.setHeader('Content-Type', 'application/octet-stream');
            res.end(bytes);
          },
          () => next(),
        );
      });
    },
  };
}

function browser(args: string[]) {
  return {
    enabled: true,
    headless: true,
    provider: playwright({ launchOptions: { executablePath: findChromium(), args } }),
    instances: [{ browser: 'chromium' as const }],
    screenshotFailures: false,
  };
}

/**
 * Vite wraps each dynamic import of a build in a preloading helper (about 0.6 KB gzip in the entry) that fetches the
 * chunk's CSS and imports: this package's chunks have no CSS and modulePreload is off, so the helper only ever
 * calls the import. Replaced by that call (Vite leaves the helper out of `build.lib` builds for the same reason).
 */
function noPreloadHelper(): Plugin {
  return {
    name: 'hitl-no-preload-helper',
    enforce: 'pre',
    load(id) {
      return id === '\0vite/preload-helper.js' ? 'export const __vitePreload = (load) => load();' : null;
    },
  };
}

/**
 * Lit and Comlink are the package's dependencies: the default entry imports them, so a site that bundles Lit itself
 * loads one copy. `mode: 'standalone'` bundles them in (dist/hitl-classifier.standalone.js, for pages without a
 * bundler). Only the main-thread build is affected: the worker is bundled on its own, Comlink inside it.
 */
const ENTRY_MODULES = /\/src\/(index|checks|engine-client|image-input|wire-input)\.ts$/;
const SHARED_DEPENDENCY = /^(lit|lit-html|lit-element|@lit\/reactive-element|comlink)(\/.*)?$/;

function libraryBuild(standalone: boolean) {
  return {
    outDir: resolve(root, 'dist'),
    // The standalone entry is written next to the default one, into the same dist/.
    emptyOutDir: !standalone,
    target: 'es2022',
    // Not `build.lib`: library mode inlines every asset, and the .wasm binaries must stay files next to
    // the entry (a strict CSP can refuse data: URLs), found through import.meta.url like the worker chunk.
    assetsInlineLimit: 0,
    modulePreload: false,
    copyPublicDir: false,
    rolldownOptions: {
      input: resolve(root, 'src/index.ts'),
      external: standalone ? [] : (id: string) => SHARED_DEPENDENCY.test(id),
      // The queue and panel chunks (loaded on first use) import Lit, the API and the worker URL from the
      // entry itself, instead of all three moving into a shared chunk the entry would have to load too.
      preserveEntrySignatures: 'allow-extension' as const,
      output: {
        format: 'es' as const,
        entryFileNames: standalone ? 'hitl-classifier.standalone.js' : 'hitl-classifier.js',
        // The standalone entry's lazily loaded chunks hold their own Lit imports: named apart from the default's.
        ...(standalone ? { chunkFileNames: 'assets/standalone/[name]-[hash].js' } : {}),
        // Rolldown moves the modules that the entry shares with the ranker's lazy chunks (createRanker,
        // <hitl-compare>) into chunks of their own, which the entry would then load up front: they stay in the entry.
        codeSplitting: { groups: [{ name: 'entry', test: ENTRY_MODULES }] },
      },
    },
  };
}

export default defineConfig(({ mode }) => ({
  // `npm start` serves the demo; the library build and the tests work from the project root.
  root: mode === 'lib' || mode === 'standalone' || process.env.VITEST ? root : resolve(root, 'demo'),
  base: './',
  publicDir: false,
  optimizeDeps,
  plugins: mode === 'lib' || mode === 'standalone' ? [weightShards(), noPreloadHelper()] : [weightShards()],
  worker: { format: 'es' },
  server: { fs: { allow: [root] } },
  build:
    mode === 'lib' || mode === 'standalone'
      ? libraryBuild(mode === 'standalone')
      : { outDir: resolve(root, 'dist-demo'), emptyOutDir: true, target: 'es2022' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', '**/*.webgpu.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          browser: browser(CHROMIUM_ARGS),
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium-webgpu',
          include: ['test/**/*.webgpu.test.ts', 'test/backend.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          browser: browser([...CHROMIUM_ARGS, ...WEBGPU_ARGS]),
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
}));
