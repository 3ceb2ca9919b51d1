import type { Job, Queue } from 'bullmq';
import type { MetricsService } from './metrics.service';
import { ScrapeCache } from './scrape-cache';
import { withDeadline } from './with-deadline';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
type QueueState = (typeof QUEUE_STATES)[number];

interface QueueSnapshot {
  counts: Record<QueueState, number>;
  oldestWaitingAgeSeconds: number;
}

/** A scrape never waits longer than this on Redis; during an outage the series are simply missing. */
const READ_TIMEOUT_MS = 2_000;
/** Both gauges are fed by one read per scrape. */
const SNAPSHOT_TTL_MS = 1_000;

/**
 * When a waiting job became waiting, as near as the job hash tells: a delayed add or a schedule waits
 * `opts.delay` first; a retried job waited at least since its last attempt started.
 */
export function waitingSince(job: Pick<Job, 'timestamp' | 'processedOn' | 'opts'>): number {
  return Math.max(job.timestamp + (job.opts.delay ?? 0), job.processedOn ?? 0);
}

export async function readQueueSnapshot(queue: Queue, now: () => number = Date.now): Promise<QueueSnapshot> {
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts(...QUEUE_STATES),
    // Lists grow at the head and are consumed from the tail: ascending order from 0 is the oldest.
    queue.getJobs(['waiting'], 0, 0, true),
  ]);
  const first = oldest.find((job): job is Job => Boolean(job));
  return {
    counts: Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<QueueState, number>,
    oldestWaitingAgeSeconds: first ? Math.max(0, (now() - waitingSince(first)) / 1000) : 0,
  };
}

/**
 * terra_queue_jobs{queue,state} and terra_queue_oldest_waiting_job_age_seconds{queue}, read from Redis at
 * scrape time (a few O(1) commands and one LRANGE of one element).
 */
export function registerQueueMetrics(metrics: MetricsService, queue: Queue): void {
  const snapshot = new ScrapeCache(SNAPSHOT_TTL_MS, () => withDeadline(readQueueSnapshot(queue), READ_TIMEOUT_MS, 'Redis'));
  metrics.registerCollector('terra_queue_jobs', 'Jobs in the webhook queue by state', ['queue', 'state'], async (gauge) => {
    const { counts } = await snapshot.get();
    gauge.reset();
    for (const state of QUEUE_STATES) gauge.set({ queue: queue.name, state }, counts[state]);
  });
  metrics.registerCollector(
    'terra_queue_oldest_waiting_job_age_seconds',
    'Seconds the oldest waiting job of the webhook queue has waited (0 when none waits)',
    ['queue'],
    async (gauge) => {
      const { oldestWaitingAgeSeconds } = await snapshot.get();
      gauge.reset();
      gauge.set({ queue: queue.name }, oldestWaitingAgeSeconds);
    },
  );
}
