/**
 * Checks Dockerfile, .dockerignore and docker-compose.yml without a Docker engine (none runs in CI):
 * compose-spec's JSON schema plus our own rules (health checks, scalable worker, noeviction, non-root,
 * exec-form CMD, production-only installs, no committed credentials). See docs/containers.md.
 *
 *   node dist/tools/validate-containers.js [--compose FILE] [--dockerfile FILE] [--skip-schema-if-missing]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from './validate-containers/container-problem';
import { validateContainers } from './validate-containers/container-validation';

function findRepoRoot(): string {
  // dist/tools/validate-containers.js or tools/validate-containers.ts
  const parent = path.dirname(__dirname);
  return path.basename(parent) === 'dist' ? path.dirname(parent) : parent;
}

function main(): number {
  const { values } = parseArgs({
    options: {
      compose: { type: 'string' },
      dockerfile: { type: 'string' },
      'skip-schema-if-missing': { type: 'boolean', default: false },
    },
  });
  const report = validateContainers({
    repoRoot: findRepoRoot(),
    composeFile: values.compose && path.resolve(values.compose),
    dockerfile: values.dockerfile && path.resolve(values.dockerfile),
    skipSchemaIfMissing: values['skip-schema-if-missing'],
  });
  for (const line of report.checked) process.stdout.write(`checked ${line}\n`);
  if (report.problems.length === 0) {
    process.stdout.write('containers: OK (static checks only: no image was built or run)\n');
    return 0;
  }
  for (const problem of report.problems) process.stderr.write(`${formatProblem(problem)}\n`);
  process.stderr.write(`containers: ${report.problems.length} problem(s)\n`);
  return 1;
}

process.exitCode = main();
