import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { ResourceWindow, type ResourceFigures } from '../infra/resource-window';
import { runLoad, type LoadResult } from '../load/load-generator';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { DeliveryFactory } from '../load/terra-deliveries';
import { BENCH_WEBHOOK_SECRET, type SystemName, type SystemUnderTest } from '../systems/system-under-test';
import { checkInbox, type InboxCheck } from './inbox-check';
import { alternate, bestLatency, cpuMsPerEvent, mean, round1, target, type PhaseContext } from './phase-context';

interface IngestRun {
  system: SystemName;
  closed: Omit<LoadResult, 'latenciesMs' | 'events'> & { latency: LatencySummary };
  open: Omit<LoadResult, 'latenciesMs' | 'events'> & { latency: LatencySummary };
  openLatencies: number[];
  closedLatencies: number[];
  resources: ResourceFigures;
  inbox: InboxCheck;
  quiet: { waitedMs: number; busyPercent: number };
}

export interface IngestSide {
  /** Best round: interference from other work on a shared box only ever lowers throughput. */
  acceptedPerSecond: number;
  meanAcceptedPerSecond: number;
  runsAcceptedPerSecond: number[];
  /** API CPU time per request in the closed loop (best round): steadier than throughput on a busy box. */
  apiCpuMsPerRequest: number;
  closedLatency: LatencySummary;
  /** Best round (lowest p99): other work on the box only ever adds latency. All rounds merged beside it. */
  openLatency: LatencySummary;
  openLatencyAllRounds: LatencySummary;
  errors: number;
  resources: ResourceFigures[];
  inbox: InboxCheck[];
  quiet: { waitedMs: number; busyPercent: number }[];
}

export type IngestResult = Record<SystemName, IngestSide>;

function strip(result: LoadResult) {
  const { latenciesMs, events: _events, ...rest } = result;
  return { ...rest, acceptedPerSecond: round1(rest.acceptedPerSecond), latency: summarize(latenciesMs) };
}

/** Webhook ingest only (no worker): closed loop at 32 connections, then open loop at 300 req/s. */
async function ingestRun(system: SystemUnderTest, context: PhaseContext, round: number): Promise<IngestRun> {
  const settings = context.settings.ingest;
  const db = await BenchDatabase.create(`ingest_${system.name}`);
  const prefix = newQueuePrefix(`ingest-${system.name}`);
  const factory = new DeliveryFactory();
  const next = () => factory.next();
  try {
    const api = await system.startApi(target(db, prefix, context, `ingest-r${round}`));
    try {
      const quiet = await waitForQuiet(context.settings.quietWaitMs);
      await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.warmupMs, concurrency: 8 });
      const window = await ResourceWindow.begin({ api: api.app.pid }, db);
      const closed = await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.closedMs, concurrency: settings.concurrency });
      const resources = await window.end();
      const open = await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next, durationMs: settings.openMs, ratePerSecond: settings.rate });
      const inbox = await checkInbox(db, [...closed.events, ...open.events]);
      context.log(
        `  ingest ${system.name} r${round}: ${round1(closed.acceptedPerSecond)} accepted/s at ${settings.concurrency} conns ` +
          `(p99 ${summarize(closed.latenciesMs).p99} ms, ${closed.errors} errors); ${settings.rate} req/s p99 ${summarize(open.latenciesMs).p99} ms; ` +
          `api ${resources.cpuPercent.api}% CPU`,
      );
      return { system: system.name, closed: strip(closed), open: strip(open), openLatencies: open.latenciesMs, closedLatencies: closed.latenciesMs, resources, inbox, quiet };
    } finally {
      await api.app.stop();
    }
  } finally {
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}

export async function ingestPhase(systems: [SystemUnderTest, SystemUnderTest], context: PhaseContext): Promise<IngestResult> {
  const runs: IngestRun[] = [];
  let round = 0;
  for (const system of alternate(systems, context.settings.rounds)) runs.push(await ingestRun(system, context, round++));
  const side = (name: SystemName): IngestSide => {
    const mine = runs.filter((run) => run.system === name);
    return {
      acceptedPerSecond: Math.max(...mine.map((run) => run.closed.acceptedPerSecond)),
      meanAcceptedPerSecond: round1(mean(mine.map((run) => run.closed.acceptedPerSecond))),
      apiCpuMsPerRequest: Math.min(...mine.map((run) => cpuMsPerEvent(run.resources.cpuPercent.api, run.closed.sent / run.closed.elapsedS))),
      runsAcceptedPerSecond: mine.map((run) => run.closed.acceptedPerSecond),
      closedLatency: summarize(mine.flatMap((run) => run.closedLatencies)),
      openLatency: bestLatency(mine.map((run) => run.openLatencies)),
      openLatencyAllRounds: summarize(mine.flatMap((run) => run.openLatencies)),
      errors: mine.reduce((sum, run) => sum + run.closed.errors + run.open.errors, 0),
      resources: mine.map((run) => run.resources),
      inbox: mine.map((run) => run.inbox),
      quiet: mine.map((run) => run.quiet),
    };
  };
  return { product: side('product'), floor: side('floor') };
}
