import path from 'node:path';
import { findFreePort, type StackSupervisor } from '@terra-connections/process';
import { DevStackError } from './dev-stack.error';
import { embeddedPostgresAvailability, startEmbeddedPostgres } from './embedded-postgres.launcher';
import { findExecutable } from './executable-lookup';
import {
  choosePostgres,
  chooseRedis,
  GivenUrlUnreachableError,
  missingInfraSentence,
  type InfraOrigin,
  type PostgresChoice,
  type RedisChoice,
} from './infra-plan';
import { createDatabase, probePostgres } from './postgres-probe';
import type { PrefixedOutput } from './prefixed-output';
import { redactUrl } from './redact-url';
import { probeRedis } from './redis-probe';
import { startRedisServer } from './redis-server.launcher';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, type StackSettings } from './stack-settings';
import type { StackLayout } from './stack-layout';

export interface ProvisionedInfra {
  postgres: { url: string; origin: InfraOrigin; dataDir?: string };
  redis: { url: string; origin: InfraOrigin };
}

/** Git-ignored (.data/ is in .gitignore): the embedded cluster survives restarts, so does its data. */
export const EMBEDDED_DATA_DIR = path.join('.data', 'postgres');

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function plan(settings: StackSettings, pg: Awaited<ReturnType<typeof probePostgres>>, redis: Awaited<ReturnType<typeof probeRedis>>) {
  try {
    const postgres = choosePostgres({
      givenUrl: settings.databaseUrl,
      defaultUrl: DEFAULT_DATABASE_URL,
      probe: pg,
      embedded: embeddedPostgresAvailability(),
    });
    const redisChoice = chooseRedis({
      givenUrl: settings.redisUrl,
      defaultUrl: DEFAULT_REDIS_URL,
      probe: redis,
      redisServer: findExecutable('redis-server'),
    });
    return { postgres, redis: redisChoice };
  } catch (error) {
    if (error instanceof GivenUrlUnreachableError) throw new DevStackError(error.message);
    throw error;
  }
}

/**
 * Postgres and Redis for the stack: the caller's URLs, else the machine's defaults, else started here
 * (embedded-postgres, redis-server from the PATH). Nothing is started unless both can be had.
 */
export async function provisionInfra(options: {
  settings: StackSettings;
  layout: StackLayout;
  output: PrefixedOutput;
  supervisor: StackSupervisor;
}): Promise<ProvisionedInfra> {
  const { settings, layout, output, supervisor } = options;
  const log = (message: string) => output.line('stack', message);
  const [pgProbe, redisProbe] = await Promise.all([
    probePostgres(settings.databaseUrl ?? DEFAULT_DATABASE_URL),
    probeRedis(settings.redisUrl ?? DEFAULT_REDIS_URL),
  ]);
  const choice = plan(settings, pgProbe, redisProbe);
  if (choice.postgres.kind === 'missing' || choice.redis.kind === 'missing') {
    throw new DevStackError(
      missingInfraSentence({
        postgres: choice.postgres.kind === 'missing' ? choice.postgres.reason : undefined,
        redis: choice.redis.kind === 'missing' ? choice.redis.reason : undefined,
      }),
    );
  }
  const [postgres, redis] = await Promise.all([
    providePostgres(choice.postgres, { layout, output, supervisor, log }),
    provideRedis(choice.redis, { output, supervisor, log }),
  ]);
  return { postgres, redis };
}

async function providePostgres(
  choice: Exclude<PostgresChoice, { kind: 'missing' }>,
  ctx: { layout: StackLayout; output: PrefixedOutput; supervisor: StackSupervisor; log: (m: string) => void },
): Promise<ProvisionedInfra['postgres']> {
  if (choice.kind === 'use') {
    if (choice.createDatabase) {
      await createDatabase(choice.url).catch((error: unknown) => {
        throw new DevStackError(`Postgres at ${redactUrl(choice.url)} answers but ${String((error as Error).message ?? error)}.`);
      });
      ctx.log(`created database ${new URL(choice.url).pathname.slice(1)}`);
    }
    ctx.log(`Postgres: ${redactUrl(choice.url)} (${choice.origin === 'given' ? 'DATABASE_URL' : 'local server'})`);
    return { url: choice.url, origin: choice.origin };
  }
  const port = await findFreePort();
  ctx.log(`no Postgres at ${DEFAULT_DATABASE_URL}: starting embedded-postgres on port ${port}`);
  const dataDir = path.join(ctx.layout.repoRoot, EMBEDDED_DATA_DIR);
  const started = await startEmbeddedPostgres({
    layout: ctx.layout,
    dataDir,
    port,
    output: ctx.output,
    onSpawn: (child) => {
      ctx.supervisor.addInfra(child);
      ctx.log(`postgres started (pid ${child.pid})`);
    },
  });
  const database = new URL(DEFAULT_DATABASE_URL).pathname.slice(1);
  const url = withDatabase(started.url, database);
  const probe = await probePostgres(url);
  if (probe.state === 'no-database') await createDatabase(url);
  else if (probe.state === 'unreachable') throw new DevStackError(`embedded Postgres started but does not answer: ${probe.reason}.`);
  return { url, origin: 'embedded', dataDir: EMBEDDED_DATA_DIR };
}

async function provideRedis(
  choice: Exclude<RedisChoice, { kind: 'missing' }>,
  ctx: { output: PrefixedOutput; supervisor: StackSupervisor; log: (m: string) => void },
): Promise<ProvisionedInfra['redis']> {
  if (choice.kind === 'use') {
    ctx.log(`Redis: ${redactUrl(choice.url)} (${choice.origin === 'given' ? 'REDIS_URL' : 'local server'})`);
    return { url: choice.url, origin: choice.origin };
  }
  const port = await findFreePort();
  ctx.log(`no Redis at ${DEFAULT_REDIS_URL}: starting ${choice.executable} on port ${port}`);
  const started = await startRedisServer({
    executable: choice.executable,
    port,
    output: ctx.output,
    onSpawn: (child) => {
      ctx.supervisor.addInfra(child);
      ctx.log(`redis started (pid ${child.pid})`);
    },
  });
  return { url: started.url, origin: 'embedded' };
}
