import path from 'node:path';
import { Worker } from 'node:worker_threads';

const REPO_ROOT = path.resolve(__dirname, '../..');
const RULE = '@nx/enforce-module-boundaries';

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/**
 * ESLint's Node API with the repository's own eslint.config.mjs, in a worker thread (same process, plain
 * Node): Jest's module sandbox cannot `import()` an ESM config file without --experimental-vm-modules. The
 * Nx rule needs the project graph, which `npm run lint` caches with `nx show projects` before `eslint .`; the
 * worker builds it the same way first, in-process (no daemon, no plugin workers).
 */
const LINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.repoRoot + '/package.json');
const graph = load('nx/src/devkit-exports').createProjectGraphAsync({ exitOnError: false });
const { ESLint } = load('eslint');
const eslint = new ESLint({ cwd: workerData.repoRoot });
parentPort.on('message', async ({ code, filePath }) => {
  try {
    await graph;
    const [result] = await eslint.lintText(code, { filePath });
    parentPort.postMessage({ messages: result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })) });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.stack) || error) });
  }
});
`;

class Linter {
  private readonly worker = new Worker(LINT_WORKER, {
    eval: true,
    workerData: { repoRoot: REPO_ROOT },
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true' },
  });
  private pending: { resolve: (messages: LintMessage[]) => void; reject: (error: Error) => void } | undefined;

  constructor() {
    this.worker.on('message', (reply: { messages?: LintMessage[]; error?: string }) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.error !== undefined) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.messages ?? []);
    });
    this.worker.on('error', (error) => this.pending?.reject(error));
  }

  /** The boundary rule's findings for `code` as if it were the file at `file` (relative to the repo root). */
  boundaryErrors(file: string, code: string): Promise<string[]> {
    return new Promise<LintMessage[]>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ code, filePath: path.join(REPO_ROOT, file) });
    }).then((messages) => messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message));
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** One import, used, so no other rule has anything to say. */
const importing = (name: string, from: string) => `import { ${name} } from '${from}';\n\nexport const probe = ${name};\n`;

/** `npm run lint` fails on an import across the lines the architecture draws (eslint.config.mjs). */
describe('module boundaries', () => {
  let linter: Linter;

  beforeAll(() => {
    linter = new Linter();
  });

  afterAll(async () => {
    await linter.close();
  });

  it('passes a legal import: a worker lib using a shared lib', async () => {
    await expect(linter.boundaryErrors('libs/webhook-apply/src/lint-probe.ts', importing('TERRA_WEBHOOK_QUEUE', '@terra-connections/queue'))).resolves.toEqual([]);
  }, 60_000);

  it('refuses a worker lib importing the API half', async () => {
    await expect(linter.boundaryErrors('libs/webhook-apply/src/lint-probe.ts', importing('InboxWriter', '@terra-connections/webhook-ingest'))).resolves.toEqual([
      expect.stringContaining('"scope:worker" can only depend on libs tagged with "scope:shared", "scope:worker"'),
    ]);
  });

  it('refuses an API lib importing the worker half', async () => {
    // The worker's specs import the API half to set up, so Nx names the cycle this import would close before
    // it gets to the tags: an error either way.
    await expect(linter.boundaryErrors('libs/webhook-ingest/src/lint-probe.ts', importing('InboxSweeper', '@terra-connections/webhook-apply'))).resolves.toEqual([
      expect.stringMatching(/"scope:api" can only depend on libs tagged with "scope:shared", "scope:api"|^Circular dependency between "webhook-ingest" and "webhook-apply"/),
    ]);
  });

  it('lets the sandbox import config and nothing else', async () => {
    await expect(linter.boundaryErrors('apps/terra-sandbox/src/lint-probe.ts', importing('loadConfig', '@terra-connections/config'))).resolves.toEqual([]);
    await expect(linter.boundaryErrors('apps/terra-sandbox/src/lint-probe.ts', importing('ConnectionsService', '@terra-connections/connections'))).resolves.toEqual([
      expect.stringContaining('"scope:sandbox" can only depend on libs tagged with "usable-by:sandbox"'),
    ]);
  });

  it('refuses the testing lib in production code, and allows it in a spec', async () => {
    await expect(linter.boundaryErrors('libs/connections/src/lint-probe.ts', importing('waitFor', '@terra-connections/testing'))).resolves.toEqual([
      expect.stringContaining('"type:feature" can only depend on libs tagged with "type:feature", "type:data-access", "type:util"'),
    ]);
    await expect(linter.boundaryErrors('libs/connections/src/lint-probe.spec.ts', importing('waitFor', '@terra-connections/testing'))).resolves.toEqual([]);
  });

  it('keeps the client package standalone: it imports nothing of the repo, the e2e tests may use it, the service may not', async () => {
    await expect(linter.boundaryErrors('packages/client/src/lint-probe.ts', importing('EVENT_TYPES', '@terra-connections/connections'))).resolves.toEqual([
      expect.stringMatching(/"type:util" can only depend on libs tagged with "type:util"|"scope:client" can only depend on libs tagged with/),
    ]);
    await expect(linter.boundaryErrors('apps/e2e/src/lint-probe.ts', importing('verifyEvent', '@terra-connections/client'))).resolves.toEqual([]);
    await expect(linter.boundaryErrors('libs/event-delivery/src/lint-probe.ts', importing('verifyEvent', '@terra-connections/client'))).resolves.toEqual([
      expect.stringContaining('"scope:worker" can only depend on libs tagged with "scope:shared", "scope:worker"'),
    ]);
  });

  it('refuses an app importing bench/ or tools/', async () => {
    await expect(linter.boundaryErrors('apps/api/src/lint-probe.ts', importing('REPO_ROOT', '../../../bench/infra/paths'))).resolves.toEqual([
      expect.stringContaining('Projects cannot be imported by a relative or absolute path'),
    ]);
  });
});
