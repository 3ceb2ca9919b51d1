import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const SPEC_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'];

/**
 * Apps compose libs; libs never import apps. The API half (`scope:api`) and the worker half (`scope:worker`)
 * never import each other; both use `scope:shared`. The sandbox stands alone on `scope:shared` config only.
 * `specCrossing`: a spec may use the other half to set up what the code under test consumes (the worker's
 * specs write inbox rows with the API's InboxWriter); production code may not.
 */
function boundaries({ specCrossing }) {
  const api = specCrossing ? ['scope:shared', 'scope:api', 'scope:worker'] : ['scope:shared', 'scope:api'];
  const worker = specCrossing ? ['scope:shared', 'scope:worker', 'scope:api'] : ['scope:shared', 'scope:worker'];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] },
        { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] },
        { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:testing'] },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:feature'] },
        { sourceTag: 'scope:sandbox', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:api', onlyDependOnLibsWithTags: api },
        { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: worker },
        { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api', 'scope:worker'] },
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      ],
    },
  ];
}

export default [
  { ignores: ['node_modules/**', 'dist/**', 'tmp/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries({ specCrossing: false }),
    },
  },
  {
    files: SPEC_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries({ specCrossing: true }) },
  },
];
