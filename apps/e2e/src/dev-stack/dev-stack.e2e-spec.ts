import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SANDBOX_API_KEY, SANDBOX_DEV_ID } from '@terra-connections/config';
import { databaseUrlFor, dropDatabase } from '@terra-connections/persistence';
import { findFreePort, SupervisedProcess } from '@terra-connections/process';
import { dropQueuePrefix, TEST_PG_ADMIN_URL, waitFor } from '@terra-connections/testing';
import { assertDistBuilt, REPO_ROOT } from '../support/dist-process';

const LAUNCHER = 'dist/tools/dev-stack.js';
/** The banner's first line, as a developer reads it (tools/dev-stack/stack-banner.ts). */
const BANNER_HEADLINE = 'terra-connections is running';
/** The sandbox app lands separately; until it exists the launcher is exercised in real-Terra mode (no sandbox). */
const SANDBOX_PRESENT = existsSync(path.join(REPO_ROOT, 'apps/terra-sandbox/src/main.ts'));

const databaseUrl = (name: string) => databaseUrlFor(TEST_PG_ADMIN_URL, name);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every line each launcher printed (its tail() keeps only the last few). */
const output = new WeakMap<SupervisedProcess, string[]>();

/** The real launcher as `npm start` runs it, built (its children then run from dist/ too). */
function launch(env: NodeJS.ProcessEnv): SupervisedProcess {
  assertDistBuilt([LAUNCHER]);
  const lines: string[] = [];
  const launcher = new SupervisedProcess({
    name: 'npm-start',
    command: process.execPath,
    args: [path.join(REPO_ROOT, LAUNCHER)],
    cwd: REPO_ROOT,
    env,
    onLine: (line) => lines.push(line),
  });
  output.set(launcher, lines);
  return launcher;
}

/** The pids the launcher announced ("[stack] api started (pid 123)"). */
function childPids(launcher: SupervisedProcess): Map<string, number> {
  const pids = new Map<string, number>();
  for (const line of output.get(launcher) ?? []) {
    const match = /^\[stack\]\s+(\S+) started \(pid (\d+)\)$/.exec(line);
    if (match) pids.set(match[1], Number(match[2]));
  }
  return pids;
}

describe('npm start (dist/tools/dev-stack.js) against the machine\'s Postgres and Redis', () => {
  const database = `tc_test_devstack_${randomBytes(3).toString('hex')}`;
  const launchers: SupervisedProcess[] = [];
  const prefixes: string[] = [];

  afterAll(async () => {
    for (const launcher of launchers) {
      if (launcher.running) await launcher.stop(15_000);
      for (const pid of childPids(launcher).values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await dropDatabase(TEST_PG_ADMIN_URL, database);
    for (const prefix of prefixes) await dropQueuePrefix(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
  });

  async function startStack(extra: NodeJS.ProcessEnv) {
    const [apiPort, healthPort, sandboxPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      NO_COLOR: '1',
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `tctest-${randomBytes(4).toString('hex')}`,
      // The launcher's worker would otherwise reconcile against the sandbox on boot and leave a schedule behind.
      RECONCILE_INTERVAL_MS: '0',
      PORT: String(apiPort),
      WORKER_HEALTH_PORT: String(healthPort),
      SANDBOX_PORT: String(sandboxPort),
      ...extra,
    };
    prefixes.push(env.QUEUE_PREFIX!);
    const launcher = launch(env);
    launchers.push(launcher);
    const lines = output.get(launcher)!;
    await waitFor(
      () => {
        if (!launcher.running) throw new Error(`npm start ${launcher.describeExit()}:\n${lines.join('\n')}`);
        return lines.some((line) => line.includes(BANNER_HEADLINE));
      },
      { timeoutMs: 100_000, intervalMs: 200, describe: 'the npm start banner' },
    );
    return { launcher, lines, apiPort, healthPort, sandboxPort };
  }

  const realTerra = SANDBOX_PRESENT ? {} : { TERRA_API_KEY: 'not-a-real-key', TERRA_DEV_ID: 'not-a-real-dev-id', TERRA_WEBHOOK_SECRET: 'test-secret' };

  it('creates and migrates the database, serves API and worker, prints the banner, and SIGTERM stops every child', async () => {
    const { launcher, lines, apiPort, healthPort, sandboxPort } = await startStack({ TERRA_API_KEY: '', ...realTerra });

    const banner = lines.join('\n');
    expect(banner).toContain(`http://127.0.0.1:${apiPort}`);
    expect(banner).toContain(`curl -s -X POST http://127.0.0.1:${apiPort}/v1/connections`);
    expect(banner).toContain("'Authorization: Bearer dev-key'");
    expect(banner).toContain(`created database ${database}`);

    const unauthenticated = await fetch(`http://127.0.0.1:${apiPort}/v1/connections`);
    expect(unauthenticated.status).toBe(401);
    const live = await fetch(`http://127.0.0.1:${healthPort}/health/live`);
    expect(live.status).toBe(200);
    if (SANDBOX_PRESENT) {
      const integrations = await fetch(`http://127.0.0.1:${sandboxPort}/v2/integrations`, {
        headers: { 'dev-id': SANDBOX_DEV_ID, 'x-api-key': SANDBOX_API_KEY },
      });
      expect(integrations.status).toBe(200);
    }

    const client = new Client({ connectionString: databaseUrl(database) });
    await client.connect();
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM typeorm_migrations');
    await client.end();
    expect(Number(rows[0].count)).toBeGreaterThan(0);

    const pids = childPids(launcher);
    expect([...pids.keys()].sort()).toEqual(SANDBOX_PRESENT ? ['api', 'sandbox', 'worker'] : ['api', 'worker']);
    launcher.signal('SIGTERM');
    await expect(launcher.exited).resolves.toMatchObject({ code: 0 });
    for (const [name, pid] of pids) expect({ name, alive: alive(pid) }).toEqual({ name, alive: false });
    expect(lines.at(-1)).toMatch(/\[stack\]\s+stopped$/);
  }, 120_000);

  it('stops everything and exits non-zero, naming the child, when one dies', async () => {
    // Real-Terra mode keeps this one to two children; the database is already there and migrated.
    const { launcher, lines } = await startStack({ TERRA_API_KEY: 'not-a-real-key', TERRA_DEV_ID: 'x', TERRA_WEBHOOK_SECRET: 's' });
    expect(lines.join('\n')).toContain('migrations: schema is up to date');
    const pids = childPids(launcher);
    process.kill(pids.get('worker')!, 'SIGKILL');

    await expect(launcher.exited).resolves.toMatchObject({ code: 1 });
    expect(lines.join('\n')).toMatch(/\[stack\]\s+worker was killed by SIGKILL \(its last output is above\); stopping the rest/);
    expect(alive(pids.get('api')!)).toBe(false);
  }, 120_000);
});
