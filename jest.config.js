/**
 * One Jest run, three tiers as Jest projects (`--selectProjects unit|integration|e2e` picks one):
 * - unit (`*.spec.ts`): no Postgres, Redis or network beyond this process;
 * - integration (`*.integration-spec.ts`): real Postgres and Redis, everything in the Jest worker's process;
 * - e2e (`*.e2e-spec.ts`, all under apps/e2e): starts other processes (the built apps, the sandbox, Postgres,
 *   the dev launcher); needs `npm run build` first.
 * `npm test` runs all three in one invocation, so `npm test -- --ci --json` reports every test at once.
 */
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/bench', '<rootDir>/packages'],
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
};

module.exports = {
  // Two cores: two test files at a time (an e2e file alone runs several processes).
  maxWorkers: 2,
  // Jest reads the timeout from here only (a project's own testTimeout is ignored): the e2e tier sets its own in
  // apps/e2e/jest.setup.ts.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['**/*.integration-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['**/*.e2e-spec.ts'], setupFilesAfterEnv: ['<rootDir>/apps/e2e/jest.setup.ts'] },
  ],
};
