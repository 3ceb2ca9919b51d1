import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { findFreePort } from '@terra-connections/process';
import { redisConnectionOptions, TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { createTestDatabase, dropQueuePrefix, TcpProxy, TEST_API_KEY, testEnv, waitFor, type TestDatabase } from '@terra-connections/testing';
import { ApiClient } from './api-client';
import { assertDistBuilt, DIST_ENTRIES, DistProcess } from './dist-process';
import { SandboxControl } from './sandbox-control';

export interface E2eStackOptions {
  /** Names the database and the processes in failure messages. */
  suite: string;
  workers?: number;
  /**
   * Routes the API's (only the API's) Postgres connections through a TcpProxy, so a test can cut them and the
   * API answers webhooks with 503 while the workers keep running.
   */
  proxyApiDatabase?: boolean;
  /** More of the product's environment (API and workers), over the stack's own. */
  env?: Record<string, string>;
}

/** Multiplies the sandbox's retry schedule (30 s, 60 s, ...) and deauth delay: 30 ms, 60 ms, ... */
const SANDBOX_TIME_SCALE = '0.001';
const START_TIMEOUT_MS = 30_000;

/**
 * The product as deployed, on one machine: the Terra sandbox, the API and N workers, each its own OS process
 * run from dist/, on a fresh database and a fresh BullMQ prefix. `start()` then `stop()` (in afterAll: it
 * stops whatever did start, even after a failed start).
 */
export class E2eStack {
  readonly devId = 'e2e-dev-id';
  readonly terraApiKey = randomBytes(12).toString('hex');
  readonly webhookSecret = randomBytes(16).toString('hex');

  db!: TestDatabase;
  /** The product's environment (API and workers). */
  env!: NodeJS.ProcessEnv;
  apiPort = 0;
  sandboxUrl = '';
  api!: ApiClient;
  sandbox!: SandboxControl;
  dbProxy: TcpProxy | undefined;
  queue: Queue | undefined;

  private readonly processes: DistProcess[] = [];
  private apiProcess: DistProcess | undefined;
  private workerProcesses: DistProcess[] = [];

  constructor(private readonly options: E2eStackOptions) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get workers(): readonly DistProcess[] {
    return this.workerProcesses;
  }

  async start(): Promise<void> {
    assertDistBuilt();
    this.db = await createTestDatabase(this.options.suite);
    this.apiPort = await findFreePort();

    const sandbox = this.spawn('terra-sandbox', DIST_ENTRIES.sandbox, {
      LOG_LEVEL: 'warn',
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_PORT: '0',
      SANDBOX_DEV_ID: this.devId,
      SANDBOX_API_KEY: this.terraApiKey,
      SANDBOX_WEBHOOK_SECRET: this.webhookSecret,
      SANDBOX_WEBHOOK_URL: `${this.apiUrl}/webhooks/terra`,
      SANDBOX_TIME_SCALE,
      SANDBOX_WEBHOOK_TIMEOUT_MS: '5000',
    });
    this.sandboxUrl = (await sandbox.waitForOutput(/terra-sandbox listening on (http:\/\/\S+)/, START_TIMEOUT_MS))[1];
    this.sandbox = new SandboxControl(this.sandboxUrl, { devId: this.devId, apiKey: this.terraApiKey });

    this.env = testEnv({
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.db.url,
      DATABASE_POOL_SIZE: '4',
      TERRA_DEV_ID: this.devId,
      TERRA_API_KEY: this.terraApiKey,
      TERRA_API_URL: `${this.sandboxUrl}/v2`,
      TERRA_WIDGET_URL: `${this.sandboxUrl}/api/widget/session`,
      TERRA_WEBHOOK_SECRET: this.webhookSecret,
      TERRA_TIMEOUT_SECONDS: '5',
      PORT: String(this.apiPort),
      WORKER_CONCURRENCY: '4',
      WORKER_HEALTH_PORT: '0',
      // No worker retry is expected here; if one happens it takes 200 ms, not 5 s, and cannot outlast a waitFor.
      WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      RECONCILE_INTERVAL_MS: '0',
      // A suite's connects ask for no history unless it says so (the backfills suite does): other suites count
      // Terra requests, data rows and events.
      BACKFILL_ON_CONNECT_DAYS: '0',
      ...this.options.env,
    });
    if (this.options.proxyApiDatabase) {
      this.dbProxy = await TcpProxy.start({ port: Number(new URL(this.db.url).port || 5432) });
    }
    this.api = new ApiClient(this.apiUrl, TEST_API_KEY);
    this.queue = new Queue(TERRA_WEBHOOK_QUEUE, { connection: redisConnectionOptions(this.env.REDIS_URL as string), prefix: this.env.QUEUE_PREFIX });

    const workers = Array.from({ length: this.options.workers ?? 2 }, (_, i) => this.spawn(`worker-${i + 1}`, DIST_ENTRIES.worker, this.env));
    this.workerProcesses = workers;
    await Promise.all([this.startApi(), ...workers.map((worker) => worker.waitForOutput(/worker started/, START_TIMEOUT_MS))]);
    // Every worker has its BullMQ consumer connected before a test produces its first event.
    await waitFor(async () => (await (this.queue as Queue).getWorkersCount()) >= workers.length, {
      timeoutMs: START_TIMEOUT_MS,
      describe: `${workers.length} workers registered on the queue`,
    });
  }

  /** One more worker process (after a test killed one, say); resolves once it has started. */
  async startWorker(name: string): Promise<DistProcess> {
    const worker = this.spawn(name, DIST_ENTRIES.worker, this.env);
    this.workerProcesses = [...this.workerProcesses, worker];
    await worker.waitForOutput(/worker started/, START_TIMEOUT_MS);
    return worker;
  }

  /** (Re)starts the API on its port; resolves once it is listening. */
  async startApi(): Promise<void> {
    if (this.apiProcess?.running) throw new Error('the API is already running');
    const databaseUrl = this.dbProxy ? this.dbProxy.rewrite(this.db.url) : this.db.url;
    const api = this.spawn('api', DIST_ENTRIES.api, { ...this.env, DATABASE_URL: databaseUrl });
    this.apiProcess = api;
    const port = Number((await api.waitForOutput(/api listening on (\d+)/, START_TIMEOUT_MS))[1]);
    if (port !== this.apiPort) throw new Error(`the API listens on ${port}, expected ${this.apiPort}`);
  }

  /** Stops the API process (SIGTERM): Terra's webhooks then meet a closed port. */
  async stopApi(): Promise<void> {
    await this.apiProcess?.stop();
  }

  get apiRunning(): boolean {
    return this.apiProcess?.running ?? false;
  }

  /**
   * Stops every process (SIGTERM, SIGKILL after 10 s), drops the database, removes the queue's keys. A process
   * that died on its own during the tests is reported with its output.
   */
  async stop(): Promise<void> {
    const problems: unknown[] = [];
    const crashed = this.processes.filter((p) => p.exitedUnasked);
    if (crashed.length > 0) {
      problems.push(new Error(`exited during the tests:\n${crashed.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.log}`).join('\n')}`));
    }
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        problems.push(error);
      }
    };
    await Promise.all(this.processes.map((p) => attempt(() => p.stop())));
    await attempt(async () => this.dbProxy?.stop());
    await attempt(async () => {
      if (!this.queue) return;
      await this.queue.obliterate({ force: true });
      await this.queue.close();
    });
    // Whatever obliterate leaves under the prefix (schedulers, metrics, the workers' markers) goes too.
    await attempt(async () => {
      if (this.env?.QUEUE_PREFIX) await dropQueuePrefix(this.env.REDIS_URL as string, this.env.QUEUE_PREFIX);
    });
    await attempt(async () => this.db?.drop());
    if (problems.length > 0) throw new AggregateError(problems, `cleaning up the ${this.options.suite} stack failed`);
  }

  private spawn(name: string, entry: string, env: NodeJS.ProcessEnv): DistProcess {
    const child = DistProcess.spawn(name, entry, env);
    this.processes.push(child);
    return child;
  }
}
