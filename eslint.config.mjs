import nx from '@nx/eslint-plugin';

// Layering, enforced by tags (see each project.json):
// apps import libs only, never each other; libs never import apps;
// the payloads lib (layer:core) imports no other lib.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/coverage'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // Test helpers, fixtures and the local launcher's queue helpers, shared by the test
          // and fault suites; no production code imports them.
          allow: ['tools/testing/', 'tools/launcher/', 'test-fixtures/', 'jest\\.preset\\.cjs$'],
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:none'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A test that asserts a value exists may then use it without a second check.
    files: ['**/test/**/*.ts', 'tools/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
