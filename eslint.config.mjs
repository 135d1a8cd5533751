import tseslint from 'typescript-eslint';
import walls from './eslint/walls.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'reports/', 'reports-*/', 'coverage/', '.stryker-tmp/', 'dist/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.cjs', 'cucumber.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The walls: steps never import the reference, the reference never imports the suite, support
  // never imports steps or the reference (eslint/walls.mjs).
  {
    files: ['steps/**/*.ts', 'support/**/*.ts', 'reference/**/*.ts', 'variables/**/*.ts'],
    plugins: { walls },
    rules: { 'walls/layers': ['error', { rootDir: import.meta.dirname }] },
  },
  // Type-aware rules against false passes: a promise nobody awaits (an assertion that never runs
  // before the step ends, a rejected request nobody sees) and a promise where a callback's result
  // is ignored. node:test's own test()/describe() calls may float: its runner awaits them.
  {
    files: ['steps/**/*.ts', 'support/**/*.ts', 'scripts/**/*.ts', 'reference/**/*.ts', 'variables/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
