import { setTimeout as sleep } from 'node:timers/promises';
import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import type { ChildApp } from '../infra/child-app';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { ResourceWindow, type ResourceFigures } from '../infra/resource-window';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { runLoad, type AcceptedEvent, type LoadResult } from '../load/load-generator';
import { DeliveryFactory, POOL_USERS, SEED_POOL_SQL } from '../load/terra-deliveries';
import { BENCH_WEBHOOK_SECRET, type RunningApi, type SystemName, type SystemUnderTest } from '../systems/system-under-test';
import { checkExactlyOnce, type ExactlyOnceResult } from './exactly-once.check';
import { BacklogGate, drain, listenForVisibility } from './inbox-probes';
import { alternate, bestLatency, cpuMsPerEvent, mean, round1, target, type PhaseContext } from './phase-context';

export interface ThroughputFigures {
  workers: number;
  persistedPerSecond: number;
  acceptedPerSecond: number;
  /** Mean pending inbox rows while measured: > 0 means the workers, not the API, set the pace. */
  meanBacklog: number;
  httpLatency: LatencySummary;
  errors: number;
  resources: ResourceFigures;
}

interface ThroughputRun {
  system: SystemName;
  throughput: ThroughputFigures[];
  exactlyOnce: ExactlyOnceResult;
  quiet: { waitedMs: number; busyPercent: number };
}

interface LatencyRun {
  system: SystemName;
  visibleLatencies: number[];
  notSeen: number;
  openErrors: number;
  /** CPU while the fixed rate ran with one worker: which process is near a full core. */
  openResources: Pick<ResourceFigures, 'cpuPercent' | 'peakRssMb'>;
  exactlyOnce: ExactlyOnceResult;
}

/** A product round: its capacity run and its latency run. */
type E2eRun = ThroughputRun & Omit<LatencyRun, 'system' | 'exactlyOnce' | 'visibleLatencies'>;

export interface E2eSide {
  /** Best round per worker count (see IngestSide.acceptedPerSecond). */
  persistedPerSecond: Record<string, number>;
  meanPersistedPerSecond: Record<string, number>;
  /** Worker CPU time per persisted event with one worker (best round), and the API's per accepted request. */
  workerCpuMsPerEvent: number;
  apiCpuMsPerRequest: number;
  runs: E2eRun[];
  /** The fixed rate of the latency runs: half the floor's one-worker capacity (best round) in this run. */
  latencyRatePerSecond: number;
  /** POST -> committed at that rate, best round (lowest p99), and all rounds merged. */
  visibleLatency: LatencySummary;
  visibleLatencyAllRounds: LatencySummary;
  exactlyOnce: ExactlyOnceResult[];
}

export type E2eResult = Record<SystemName, E2eSide>;

/** Closed loop against API + workers with the backlog capped; persisted/s from processed_at inside the window. */
async function throughput(
  api: RunningApi,
  workers: ChildApp[],
  db: BenchDatabase,
  next: () => ReturnType<DeliveryFactory['next']>,
  context: PhaseContext,
  events: AcceptedEvent[],
): Promise<ThroughputFigures> {
  const settings = context.settings.e2e;
  const processes: Record<string, number> = { api: api.app.pid };
  workers.forEach((worker, index) => (processes[`worker${index + 1}`] = worker.pid));
  const gate = new BacklogGate(db, settings.backlog);
  const window = await ResourceWindow.begin(processes, db);
  const loadStart = Date.now();
  // The first fifth fills the backlog; persisted/s is counted over the rest.
  const measureFrom = new Date(loadStart + settings.closedMs * 0.2);
  const load: LoadResult = await runLoad({
    origin: api.origin,
    secret: BENCH_WEBHOOK_SECRET,
    next,
    durationMs: settings.closedMs,
    concurrency: settings.concurrency,
    gate: gate.open,
  });
  const measureTo = new Date();
  const cpu = await window.cpu();
  const meanBacklog = await gate.stop();
  events.push(...load.events);
  const { n } = await db.one<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_events WHERE processed_at >= $1 AND processed_at < $2`,
    [measureFrom, measureTo],
  );
  await drain(db, settings.drainTimeoutMs);
  const drained = Date.now();
  await sleep(1_100); // Postgres publishes its per-backend counters at most once a second.
  const resources = { ...cpu, postgres: await window.postgresRates(drained) };
  return {
    workers: workers.length,
    persistedPerSecond: round1(n / ((measureTo.getTime() - measureFrom.getTime()) / 1000)),
    acceptedPerSecond: round1(load.acceptedPerSecond),
    meanBacklog: round1(meanBacklog),
    httpLatency: summarize(load.latenciesMs),
    errors: load.errors,
    resources,
  };
}

/** A fresh database seeded with the connection pool, a queue prefix, and the apps started on them. */
async function withSystem<T>(
  system: SystemUnderTest,
  context: PhaseContext,
  label: string,
  body: (api: RunningApi, first: ChildApp, db: BenchDatabase, runTarget: ReturnType<typeof target>, apps: ChildApp[]) => Promise<T>,
): Promise<T> {
  const db = await BenchDatabase.create(`e2e_${system.name}`);
  const prefix = newQueuePrefix(`e2e-${system.name}`);
  await db.query(SEED_POOL_SQL, [POOL_USERS]);
  await db.query('ANALYZE');
  const runTarget = target(db, prefix, context, label);
  const apps: ChildApp[] = [];
  try {
    const api = await system.startApi(runTarget);
    apps.push(api.app);
    const first = await system.startWorker(runTarget, 0);
    apps.push(first);
    return await body(api, first, db, runTarget, apps);
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}

/** Closed-loop capacity with one worker, then two. */
async function throughputRun(system: SystemUnderTest, context: PhaseContext, round: number): Promise<ThroughputRun> {
  const settings = context.settings.e2e;
  const factory = new DeliveryFactory();
  const next = () => factory.next();
  const events: AcceptedEvent[] = [];
  return withSystem(system, context, `e2e-r${round}`, async (api, first, db, runTarget, apps) => {
    const quiet = await waitForQuiet(context.settings.quietWaitMs);
    const warm = await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.warmupMs, concurrency: 8 });
    events.push(...warm.events);
    await drain(db, settings.drainTimeoutMs);
    const figures: ThroughputFigures[] = [];
    figures.push(await throughput(api, [first], db, next, context, events));
    const second = await system.startWorker(runTarget, 1);
    apps.push(second);
    figures.push(await throughput(api, [first, second], db, next, context, events));
    const exactlyOnce = await checkExactlyOnce(db, events);
    context.log(
      `  e2e ${system.name} r${round}: persisted/s ${figures.map((f) => `${f.persistedPerSecond} (${f.workers}w, backlog ${f.meanBacklog})`).join(', ')}; ` +
        `exactly-once ${exactlyOnce.ok ? 'ok' : 'FAILED'} (${exactlyOnce.accepted} accepted, lost ${exactlyOnce.lost}, doubled ${exactlyOnce.doubled})`,
    );
    return { system: system.name, throughput: figures, exactlyOnce, quiet };
  });
}

/** POST -> committed at a fixed rate with one worker. */
async function latencyRun(system: SystemUnderTest, context: PhaseContext, round: number, rate: number): Promise<LatencyRun> {
  const settings = context.settings.e2e;
  const factory = new DeliveryFactory();
  const next = () => factory.next();
  return withSystem(system, context, `e2e-latency-r${round}`, async (api, first, db) => {
    await waitForQuiet(context.settings.quietWaitMs);
    const warm = await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.warmupMs, ratePerSecond: rate });
    await drain(db, settings.drainTimeoutMs);
    const listener = await listenForVisibility(db);
    const openWindow = await ResourceWindow.begin({ api: api.app.pid, worker1: first.pid }, db);
    const open = await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.openMs, ratePerSecond: rate });
    const openResources = await openWindow.cpu();
    await drain(db, settings.drainTimeoutMs);
    await sleep(200);
    await listener.close();
    const visibleLatencies: number[] = [];
    let notSeen = 0;
    for (const event of open.events) {
      const at = listener.visibleAt.get(event.eventId);
      if (at === undefined) notSeen += 1;
      else visibleLatencies.push(at - event.sentAtMs);
    }
    const exactlyOnce = await checkExactlyOnce(db, [...warm.events, ...open.events]);
    context.log(`  e2e ${system.name} latency r${round}: ${rate} req/s visible p99 ${summarize(visibleLatencies).p99} ms; exactly-once ${exactlyOnce.ok ? 'ok' : 'FAILED'}`);
    return { system: system.name, visibleLatencies, notSeen, openErrors: open.errors, openResources, exactlyOnce };
  });
}

export async function e2ePhase(systems: [SystemUnderTest, SystemUnderTest], context: PhaseContext): Promise<E2eResult> {
  const capacity: ThroughputRun[] = [];
  let round = 0;
  for (const system of alternate(systems, context.settings.rounds)) capacity.push(await throughputRun(system, context, round++));
  const floorOneWorker = Math.max(...capacity.filter((run) => run.system === 'floor').map((run) => run.throughput[0].persistedPerSecond));
  // A rate both sides can sustain on this box this minute, so p99 measures latency, not a growing backlog.
  const rate = Math.max(10, Math.round((floorOneWorker * context.settings.e2e.sustainableFraction) / 10) * 10);
  context.log(`  e2e latency at ${rate} req/s (${context.settings.e2e.sustainableFraction} x the floor's one-worker ${floorOneWorker}/s)`);
  const latency: LatencyRun[] = [];
  round = 0;
  for (const system of alternate(systems, context.settings.rounds)) latency.push(await latencyRun(system, context, round++, rate));
  const side = (name: SystemName): E2eSide => {
    const mine = capacity.filter((run) => run.system === name);
    const timed = latency.filter((run) => run.system === name);
    const figures = (workers: number) => mine.map((run) => run.throughput.find((f) => f.workers === workers)!);
    const best = (workers: number) => Math.max(...figures(workers).map((f) => f.persistedPerSecond));
    const average = (workers: number) => round1(mean(figures(workers).map((f) => f.persistedPerSecond)));
    return {
      persistedPerSecond: { '1': best(1), '2': best(2) },
      meanPersistedPerSecond: { '1': average(1), '2': average(2) },
      workerCpuMsPerEvent: Math.min(...figures(1).map((f) => cpuMsPerEvent(f.resources.cpuPercent.worker1, f.persistedPerSecond))),
      apiCpuMsPerRequest: Math.min(...figures(1).map((f) => cpuMsPerEvent(f.resources.cpuPercent.api, f.acceptedPerSecond))),
      runs: mine.map((run, index) => {
        const { visibleLatencies: _latencies, system: _system, exactlyOnce: _exactlyOnce, ...measured } = timed[index] ?? timed[0];
        return { ...run, ...measured };
      }),
      latencyRatePerSecond: rate,
      visibleLatency: bestLatency(timed.map((run) => run.visibleLatencies)),
      visibleLatencyAllRounds: summarize(timed.flatMap((run) => run.visibleLatencies)),
      exactlyOnce: [...mine.map((run) => run.exactlyOnce), ...timed.map((run) => run.exactlyOnce)],
    };
  };
  return { product: side('product'), floor: side('floor') };
}
