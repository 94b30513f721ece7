import js from '@eslint/js';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Rules that hold the rooms (issue 16). A later block for the same files replaces an earlier block's
// no-restricted-imports, so each block lists every pattern that applies to its files.
const noTensorFlow = { group: ['@tensorflow/*'], message: 'TensorFlow.js belongs in workers/: src/ runs on the main thread.' };
const workerPatterns = [
  { group: ['**/components/*', 'lit', 'lit/*'], message: 'The worker has no DOM: no components here.' },
  {
    group: ['**/src/*', '**/src/**', '!**/src/protocol.js'],
    message: 'Worker code never imports page code (src/): only the wire types in src/protocol.ts cross.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'dist-demo/', 'node_modules/', 'bench/results/', 'coverage/', 'examples/*/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
    rules: {
      // noUncheckedIndexedAccess makes every typed-array read optional; in numeric loops `!` is the honest answer.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Lit templates and custom-element rules (bindings, lifecycle, attribute names) where elements are defined or used.
    files: ['src/**/*.ts', 'demo/**/*.ts', 'test/**/*.ts', 'examples/**/*.{ts,tsx}'],
    ...litConfigs['flat/recommended'],
  },
  {
    files: ['src/**/*.ts', 'demo/**/*.ts', 'test/**/*.ts', 'examples/**/*.{ts,tsx}'],
    ...wcConfigs['flat/best-practice'],
    settings: { wc: { elementBaseClasses: ['LitElement'] } },
    rules: {
      ...wcConfigs['flat/best-practice'].rules,
      // Lit's @customElement decorator registers the element next to its class: there is no define() call to check.
      'wc/tag-name-matches-class': 'off',
      // LitElement implements connectedCallback/disconnectedCallback: an unguarded super call is always safe.
      'wc/guard-super-call': 'off',
    },
  },
  {
    // The main thread stays small: TensorFlow.js only ever loads in the worker.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noTensorFlow,
            { group: ['**/workers/*', '!**/workers/engine.worker.ts'], message: 'src/ talks to the worker through src/protocol.ts only.' },
          ],
        },
      ],
    },
  },
  {
    // Elements stand on the public API and the shared connection layer; the engine is behind the worker boundary.
    files: ['src/components/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noTensorFlow,
            {
              group: ['**/workers/*', '**/workers/**'],
              message: 'Elements never import workers/: reach the engine through src/classifier.ts (or components/shared/).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: workerPatterns }] },
  },
  {
    // Storage keeps records, it does not interpret them: the engine and memory build on storage, never the reverse.
    files: ['workers/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...workerPatterns,
            {
              group: [
                '**/featurizers/*',
                '**/featurizers/**',
                '**/engine/*',
                '**/engine/**',
                '**/engine.js',
                '**/memory/*',
                '**/memory/**',
                '**/memory.js',
              ],
              message:
                'Storage never imports featurizers, the engine rooms or the example memory: keep the types it needs in workers/storage/records.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'vite.config.ts', 'eslint.config.js', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
);
