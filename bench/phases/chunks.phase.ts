import { randomUUID } from 'node:crypto';
import { BenchDatabase } from '../infra/bench-database';
import { waitForQuiet } from '../infra/machine-quiet';
import { memory, RssPeakSampler } from '../infra/proc-stats';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { ResourceWindow } from '../infra/resource-window';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { runLoad } from '../load/load-generator';
import { DeliveryFactory, type Delivery } from '../load/terra-deliveries';
import { BENCH_WEBHOOK_SECRET, type SystemName, type SystemUnderTest } from '../systems/system-under-test';
import { checkInbox } from './inbox-check';
import { round1, target, type PhaseContext } from './phase-context';

export interface ChunkFigures {
  label: string;
  bytes: number;
  accepted: number;
  acceptedPerSecond: number;
  megabytesPerSecond: number;
  latency: LatencySummary;
  errors: number;
  errorKinds: Record<string, number>;
  missingFromInbox: number;
  apiPeakRssMb: number;
  apiCpuPercent: number;
  postgresCpuPercent: number;
}

export interface ChunksSide {
  sizes: ChunkFigures[];
  /** VmHWM of the API process over the whole phase. */
  apiPeakRssMb: number;
  apiRssBeforeMb: number;
}

export type ChunksResult = Record<SystemName, ChunksSide>;

/** Backfill chunks (ingest only): the body is the same bytes per size, each delivery its own trace id and reference. */
async function chunksRun(system: SystemUnderTest, context: PhaseContext, bodies: Map<number, Buffer>): Promise<ChunksSide> {
  const db = await BenchDatabase.create(`chunks_${system.name}`);
  const prefix = newQueuePrefix(`chunks-${system.name}`);
  try {
    const api = await system.startApi(target(db, prefix, context, 'chunks'));
    try {
      await waitForQuiet(context.settings.quietWaitMs);
      const factory = new DeliveryFactory();
      await runLoad({ origin: api.origin, secret: BENCH_WEBHOOK_SECRET, next: () => factory.next(), durationMs: 500, concurrency: 4 });
      const before = new RssPeakSampler(api.app.pid).stop();
      const sizes: ChunkFigures[] = [];
      for (const size of context.settings.chunks.sizes) {
        const body = bodies.get(size.bytes)!;
        const next = (): Delivery => ({ body, type: 'activity', kind: 'chunk', traceId: randomUUID(), headers: { 'terra-reference': randomUUID() } });
        const sampler = new RssPeakSampler(api.app.pid, 50);
        const window = await ResourceWindow.begin({ api: api.app.pid }, db);
        const load = await runLoad({
          origin: api.origin,
          secret: BENCH_WEBHOOK_SECRET,
          next,
          durationMs: size.durationMs,
          concurrency: context.settings.chunks.concurrency,
          requestTimeoutMs: 30_000,
        });
        const cpu = await window.cpu();
        const peak = sampler.stop();
        const inbox = await checkInbox(db, load.events);
        const figures: ChunkFigures = {
          label: size.label,
          bytes: body.length,
          accepted: load.accepted,
          acceptedPerSecond: round1(load.acceptedPerSecond),
          megabytesPerSecond: round1((load.accepted * body.length) / 2 ** 20 / load.elapsedS),
          latency: summarize(load.latenciesMs),
          errors: load.errors,
          errorKinds: load.errorKinds,
          missingFromInbox: inbox.missing,
          apiPeakRssMb: round1(peak),
          apiCpuPercent: cpu.cpuPercent.api,
          postgresCpuPercent: cpu.cpuPercent.postgres,
        };
        sizes.push(figures);
        context.log(
          `  chunks ${system.name} ${size.label}: ${figures.accepted} accepted, p99 ${figures.latency.p99} ms, ` +
            `${figures.megabytesPerSecond} MB/s, api peak RSS ${figures.apiPeakRssMb} MB, ${figures.errors} errors`,
        );
      }
      return { sizes, apiPeakRssMb: round1(memory(api.app.pid)?.peakRssMb ?? NaN), apiRssBeforeMb: round1(before) };
    } finally {
      await api.app.stop();
    }
  } finally {
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}

export async function chunksPhase(systems: [SystemUnderTest, SystemUnderTest], context: PhaseContext): Promise<ChunksResult> {
  const bodies = new Map(context.settings.chunks.sizes.map((size) => [size.bytes, DeliveryFactory.chunk(size.bytes)]));
  const result: Partial<ChunksResult> = {};
  for (const system of systems) result[system.name] = await chunksRun(system, context, bodies);
  return result as ChunksResult;
}
