import path from 'node:path';
import { Queue } from 'bullmq';
import { findFreePort } from '@terra-connections/process';
import type { BenchDatabase } from '../infra/bench-database';
import { ChildApp } from '../infra/child-app';
import { QUEUE_NAME, REDIS_URL, redisOptions } from '../infra/redis-prefix';

export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret';
export const BENCH_API_KEY = 'bench-service-key';

export type SystemName = 'product' | 'floor';

export interface RunTarget {
  db: BenchDatabase;
  prefix: string;
  /** Child logs (and CPU profiles) land under this directory. */
  logDir: string;
  label: string;
}

export interface RunningApi {
  app: ChildApp;
  origin: string;
}

/** How the bench starts one side of the comparison; both sides get the same database, Redis and secret. */
export interface SystemUnderTest {
  readonly name: SystemName;
  startApi(target: RunTarget): Promise<RunningApi>;
  startWorker(target: RunTarget, index: number): Promise<ChildApp>;
}

/** BENCH_PRODUCT_ENV="WORKER_CONCURRENCY=16,DATABASE_POOL_SIZE=20": settings to try on the product only. */
function overrides(spec: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (spec ?? '')
      .split(',')
      .map((pair) => pair.split('='))
      .filter(([key, value]) => key && value !== undefined)
      .map(([key, value]) => [key.trim(), value.trim()]),
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** BENCH_CPU_PROF=api|worker|all: V8 CPU profiles of both sides' processes, written on exit to <logDir>/profiles. */
function profileArgs(role: 'api' | 'worker', target: RunTarget): string[] {
  const wanted = process.env.BENCH_CPU_PROF;
  if (!wanted || (wanted !== 'all' && wanted !== role)) return [];
  return ['--cpu-prof', '--cpu-prof-dir', path.join(target.logDir, 'profiles')];
}

/** Ready when BullMQ lists `count` workers on the queue: the process is connected and consuming. */
async function workersConnected(prefix: string, count: number): Promise<boolean> {
  const queue = new Queue(QUEUE_NAME, { connection: redisOptions(), prefix });
  try {
    return (await queue.getWorkersCount()) >= count;
  } finally {
    await queue.close();
  }
}

async function startApiProcess(system: SystemName, target: RunTarget, entry: string, env: NodeJS.ProcessEnv, nodeArgs: string[]): Promise<RunningApi> {
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = await ChildApp.start({
    name: `${system}-api`,
    entry,
    env: { ...env, PORT: String(port) },
    nodeArgs,
    logFile: path.join(target.logDir, `${target.label}-${system}-api.log`),
    ready: () => answers(`${origin}/__bench_ready`),
  });
  return { app, origin };
}

/**
 * The product as deployed: the compiled API and worker, production mode, default pool and concurrency.
 * BENCH_PRODUCT_DIST points at another build of the product (a copy of dist/ with a proposed fix applied,
 * under the repo so node_modules resolve) to measure a change against the floor before making it.
 */
export class ProductSystem implements SystemUnderTest {
  readonly name = 'product' as const;
  private readonly dist = process.env.BENCH_PRODUCT_DIST ?? 'dist';

  /** `extra`: settings a phase needs on top of production's (the events phase's loopback receiver, the backfill phase's sandbox). */
  constructor(private readonly extra: Record<string, string> = {}) {}

  private env(target: RunTarget): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      DATABASE_URL: target.db.url,
      REDIS_URL,
      QUEUE_PREFIX: target.prefix,
      TERRA_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
      API_KEYS: BENCH_API_KEY,
      ADMIN_API_KEYS: 'bench-admin-key',
      // Production mode needs an events secrets key (endpoints are registered by the events phase only)...
      EVENT_SECRETS_KEY: 'bench-event-secrets-key-0123456789abcdef',
      // ...and Terra credentials; nothing in the bench calls Terra (reconciliation is off).
      TERRA_DEV_ID: 'bench-dev-id',
      TERRA_API_KEY: 'bench-not-used',
      TERRA_API_URL: 'http://127.0.0.1:9/v2',
      RECONCILE_INTERVAL_MS: '0',
      // No history on connect unless a phase asks for it (the backfill phase runs its own stack).
      BACKFILL_ON_CONNECT_DAYS: '0',
      ...this.extra,
      ...overrides(process.env.BENCH_PRODUCT_ENV),
    };
  }

  startApi(target: RunTarget): Promise<RunningApi> {
    return startApiProcess('product', target, `${this.dist}/apps/api/src/main.js`, this.env(target), profileArgs('api', target));
  }

  async startWorker(target: RunTarget, index: number): Promise<ChildApp> {
    return ChildApp.start({
      name: `product-worker-${index}`,
      entry: `${this.dist}/apps/worker/src/main.js`,
      env: { ...this.env(target), WORKER_HEALTH_PORT: String(await findFreePort()) },
      nodeArgs: profileArgs('worker', target),
      logFile: path.join(target.logDir, `${target.label}-product-worker-${index}.log`),
      ready: () => workersConnected(target.prefix, index + 1),
    });
  }
}

/** bench/floor: node:http + pg + BullMQ and nothing else, same pool size and worker concurrency. */
export class FloorSystem implements SystemUnderTest {
  readonly name = 'floor' as const;

  private env(target: RunTarget): NodeJS.ProcessEnv {
    return {
      DATABASE_URL: target.db.url,
      DATABASE_POOL_SIZE: '10',
      WORKER_CONCURRENCY: '8',
      REDIS_URL,
      QUEUE_PREFIX: target.prefix,
      TERRA_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    };
  }

  startApi(target: RunTarget): Promise<RunningApi> {
    return startApiProcess('floor', target, 'dist/bench/floor/floor-api.js', this.env(target), profileArgs('api', target));
  }

  startWorker(target: RunTarget, index: number): Promise<ChildApp> {
    return ChildApp.start({
      name: `floor-worker-${index}`,
      entry: 'dist/bench/floor/floor-worker.js',
      env: this.env(target),
      nodeArgs: profileArgs('worker', target),
      logFile: path.join(target.logDir, `${target.label}-floor-worker-${index}.log`),
      ready: () => workersConnected(target.prefix, index + 1),
    });
  }
}
