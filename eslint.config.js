// ESLint (flat config) for the whole repository, run by `npm run lint` and as part of `npm test`.
// A small rule set on purpose: each rule below catches a real class of bug or enforces a structural
// rule of docs/ARCHITECTURE.md, and the code base passes it without exceptions. Type checking itself is
// tsc's job (`npm run typecheck`); no rule here needs type information, so linting stays fast.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// An internal module must not import a barrel above it (`./index.js`, `../index.js`, ...): that barrel
// re-exports the importing module, which makes an import cycle, and the first module imported then sees
// half-initialised bindings ("Cannot access 'Module' before initialization"). Import the leaf modules
// (`../core.js`, `../tensor.js`); `../functional/index.js` (a sibling folder's barrel) is fine.
const barrelImport = {
  regex: '^(\\./|(\\.\\./)+)index\\.js$',
  message: 'Import the leaf module you need (e.g. ../core.js), not the barrel that re-exports this file.',
};

export default defineConfig(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', 'demo-output/**', '.bench-out/**'] },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Generated files carry a blanket `eslint-disable` for rules this config does not enable; a stale
    // directive is harmless, so it is not reported.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // Structure: no import of the barrel that re-exports you (see above). `npm run check:cycles`
      // (madge) checks the whole graph; this names the cause at the import line.
      'no-restricted-imports': ['error', { patterns: [barrelImport] }],
      // Two import statements from one module hide each other when one is edited; a separate
      // `import type` line is allowed.
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      // Unused imports and variables are usually leftovers of a change that forgot something. Unused
      // parameters are allowed: they keep signatures that mirror PyTorch/MONAI or an interface; a
      // destructured or assigned name starting with `_` is discarded on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A `let` never reassigned misleads the reader into looking for the reassignment.
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-var': 'error',
      // `==` coerces ('' == 0); only `== null` (null or undefined) is allowed.
      eqeqeq: ['error', 'smart'],
      // Plain bugs that compile: `x === NaN`, `typeof x === 'strng'`, `x !== x`, assignment in a
      // condition, case fall-through without a comment, `return` inside `finally` that swallows an
      // exception, dead code after return/throw, throwing a non-Error (no stack, no class to catch).
      'use-isnan': 'error',
      'valid-typeof': 'error',
      'no-self-compare': 'error',
      'no-cond-assign': 'error',
      'no-fallthrough': 'error',
      'no-unsafe-finally': 'error',
      'no-unreachable': 'error',
      'no-throw-literal': 'error',
      // An empty block usually hides a swallowed error; write a comment inside if it is intended.
      'no-empty': 'error',
      'no-debugger': 'error',
      'no-eval': 'error',
    },
  },
  {
    // Layers: @monai-ts/torch never depends on the MONAI layer (dependencies point one way).
    files: ['packages/torch/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [barrelImport, { group: ['monai-ts', 'monai-ts/*', '**/monai/src/**'], message: '@monai-ts/torch must not depend on monai-ts.' }],
      }],
    },
  },
  {
    // monai-ts uses @monai-ts/torch through its package name only, never by a path into its sources.
    files: ['packages/monai/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [barrelImport, { group: ['**/torch/src/**', '@monai-ts/torch/*'], message: "Import '@monai-ts/torch' (the package), not its files." }],
      }],
    },
  },
);
