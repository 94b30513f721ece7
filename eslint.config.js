import js from '@eslint/js';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
            { group: ['@tensorflow/*'], message: 'TensorFlow.js belongs in workers/: src/ runs on the main thread.' },
            { group: ['**/workers/*', '!**/workers/engine.worker.ts'], message: 'src/ talks to the worker through src/protocol.ts only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/components/*', 'lit', 'lit/*'], message: 'The worker has no DOM: no components here.' }] },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'vite.config.ts', 'eslint.config.js', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
);
