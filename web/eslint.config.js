// eslint.config.js — lint rules for the web app's modules (web/src/**/*.js), run by the
// lint_web test (scripts/lint-web.sh): ESLint's recommended rules for browser ES modules,
// plus a few that catch slips in hand-written code. Formatting is prettier's (.prettierrc).
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'all' }],
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-implicit-globals': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'ID', message: 'share state through state.js, not a global' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[left.property.name='innerHTML']",
          message: 'show text with textContent or dom.js h()',
        },
        {
          selector: "AssignmentExpression[left.property.name='outerHTML']",
          message: 'show text with textContent or dom.js h()',
        },
        {
          selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
          message: 'show text with textContent or dom.js h()',
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
];
