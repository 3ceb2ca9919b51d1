import { readFileSync } from 'node:fs';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const SPEC_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'];

/**
 * Test code is what the build never ships: tsconfig.build.json's exclusions (the specs, libs/testing,
 * apps/e2e, every `testing/` folder, `*.harness.ts`). Read from there so the two cannot drift apart: a file
 * that lands in dist/ is production code and may not import `type:testing`.
 */
const TEST_CODE = JSON.parse(readFileSync(new URL('./tsconfig.build.json', import.meta.url), 'utf8')).exclude.filter(
  (glob) => glob !== 'node_modules' && glob !== 'dist',
);

/**
 * Apps compose libs; nothing imports an app, `tools/` or `bench/` (`type:tool`: they use libs, never the
 * reverse). The API half (`scope:api`) and the worker half (`scope:worker`) never import each other; both use
 * `scope:shared`. The sandbox stands alone: it may import only what is tagged `usable-by:sandbox` (config).
 * `testCode`: test code may also import `type:testing` (libs/testing), production code never.
 * `packages/client` (`scope:client`) imports nothing of the repo; only e2e tests, tools and bench use it.
 * `specCrossing`: a spec may use the other half to set up what the code under test consumes (the worker's
 * specs write inbox rows with the API's InboxWriter); production code may not.
 */
function boundaries({ testCode, specCrossing }) {
  const libs = (...tags) => (testCode ? [...tags, 'type:testing'] : tags);
  const api = specCrossing ? ['scope:shared', 'scope:api', 'scope:worker'] : ['scope:shared', 'scope:api'];
  const worker = specCrossing ? ['scope:shared', 'scope:worker', 'scope:api'] : ['scope:shared', 'scope:worker'];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: libs('type:feature', 'type:data-access', 'type:util') },
        { sourceTag: 'type:tool', onlyDependOnLibsWithTags: libs('type:feature', 'type:data-access', 'type:util') },
        { sourceTag: 'type:feature', onlyDependOnLibsWithTags: libs('type:feature', 'type:data-access', 'type:util') },
        { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: libs('type:data-access', 'type:util') },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: libs('type:util') },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:feature'] },
        { sourceTag: 'scope:sandbox', onlyDependOnLibsWithTags: ['usable-by:sandbox'] },
        { sourceTag: 'scope:api', onlyDependOnLibsWithTags: api },
        { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: worker },
        { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api', 'scope:worker', 'scope:client'] },
        { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api', 'scope:worker', 'scope:client'] },
        { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api', 'scope:worker', 'scope:client'] },
        // The client is for other services: it stands alone (its own dependencies only), and the service's own
        // code never calls itself through it.
        { sourceTag: 'scope:client', onlyDependOnLibsWithTags: [] },
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      ],
    },
  ];
}

export default [
  // packages/client/src/schema.d.ts is generated (openapi-typescript) and checked against the document instead.
  { ignores: ['node_modules/**', 'dist/**', 'tmp/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs', 'packages/client/src/schema.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries({ testCode: false, specCrossing: false }),
    },
  },
  {
    files: TEST_CODE,
    rules: { '@nx/enforce-module-boundaries': boundaries({ testCode: true, specCrossing: false }) },
  },
  {
    files: SPEC_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries({ testCode: true, specCrossing: true }) },
  },
];
