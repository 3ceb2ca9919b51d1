/** Durations and sizes of one invocation: the full run (targets enforced) or the CI smoke run. */
export interface BenchSettings {
  smoke: boolean;
  /** Product/floor pairs per comparison, alternated P F F P ... so drift hits both sides alike. */
  rounds: number;
  only: Set<string> | null;
  /** Longest wait for an idle machine before each measured run, and for all of them together. */
  quietWaitMs: number;
  quietBudgetMs: number;
  ingest: { warmupMs: number; closedMs: number; concurrency: number; openMs: number; rate: number };
  /** sustainableFraction: the latency runs' rate as a fraction of the floor's one-worker capacity measured in the same run. */
  e2e: { warmupMs: number; closedMs: number; concurrency: number; backlog: number; openMs: number; sustainableFraction: number; drainTimeoutMs: number };
  chunks: { concurrency: number; sizes: { label: string; bytes: number; durationMs: number }[] };
  redis: { jobs: number };
  /** issue 12: concurrent 49 MB hostile bodies per wave, and waves of each kind. */
  hostile: { concurrency: number; rounds: number };
  /** The on-connect wave: users connected at once, their provider, how long to wait for every backfill. */
  backfill: { users: number; provider: string; deadlineMs: number; liveMs: number };
  connections: { rows: number; lookupMs: number; pageSize: number; pagesPerEnd: number };
  /** issue 14: the freshness=stale listing at `rows` connections, and the freshness job over `jobConnections`. */
  freshness: { rows: number; pageSize: number; pagesPerEnd: number; jobConnections: number };
  /** issue 13: events per throughput batch, the lag run's length and its rate ceiling. */
  events: { events: number; lagMs: number; maxLagRate: number };
}

export const PHASES = ['ingest', 'e2e', 'chunks', 'redis', 'connections', 'freshness', 'hostile', 'events', 'backfill'] as const;

export function benchSettings(argv: string[], env: NodeJS.ProcessEnv): BenchSettings {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1' || env.BENCH_SMOKE === 'true';
  const option = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const only = option('only');
  const rounds = Number(option('rounds') ?? (smoke ? 1 : 2));
  const s = (seconds: number) => seconds * 1000;
  return {
    smoke,
    rounds,
    only: only ? new Set(only.split(',')) : null,
    quietWaitMs: Number(option('quiet-wait') ?? (smoke ? 0 : 20)) * 1000,
    quietBudgetMs: smoke ? 0 : s(90),
    ingest: smoke
      ? { warmupMs: s(0.5), closedMs: s(2), concurrency: 32, openMs: s(2), rate: 300 }
      : { warmupMs: s(2), closedMs: s(6), concurrency: 32, openMs: s(6), rate: 300 },
    e2e: smoke
      ? { warmupMs: s(0.5), closedMs: s(2.5), concurrency: 32, backlog: 1_000, openMs: s(3), sustainableFraction: 0.5, drainTimeoutMs: s(30) }
      : { warmupMs: s(1.5), closedMs: s(6), concurrency: 32, backlog: 1_000, openMs: s(8), sustainableFraction: 0.5, drainTimeoutMs: s(60) },
    chunks: {
      concurrency: 2,
      sizes: [
        { label: '1 MB', bytes: 1 << 20, durationMs: smoke ? s(2) : s(5) },
        { label: '10 MB', bytes: 10 << 20, durationMs: smoke ? s(3) : s(10) },
      ],
    },
    redis: { jobs: smoke ? 10_000 : 100_000 },
    hostile: { concurrency: 6, rounds: smoke ? 1 : 3 },
    backfill: smoke
      ? { users: 100, provider: 'WHOOP', deadlineMs: s(60), liveMs: s(3) }
      : { users: Number(option('backfill-users') ?? 1000), provider: 'WHOOP', deadlineMs: s(240), liveMs: s(10) },
    connections: smoke
      ? { rows: 50_000, lookupMs: s(2), pageSize: 200, pagesPerEnd: 5 }
      : { rows: 1_000_000, lookupMs: s(5), pageSize: 200, pagesPerEnd: 20 },
    freshness: smoke
      ? { rows: 50_000, pageSize: 200, pagesPerEnd: 2, jobConnections: 20_000 }
      : { rows: 1_000_000, pageSize: 200, pagesPerEnd: 10, jobConnections: 100_000 },
    events: smoke ? { events: 500, lagMs: s(3), maxLagRate: 100 } : { events: 5_000, lagMs: s(8), maxLagRate: 200 },
  };
}
