import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-demo/', 'node_modules/', 'bench/results/', 'coverage/'] },
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
