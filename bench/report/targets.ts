import type { MixDescription } from '../load/terra-deliveries';
import type { ChunksResult } from '../phases/chunks.phase';
import type { ConnectionsResult } from '../phases/connections.phase';
import type { E2eResult } from '../phases/e2e.phase';
import type { FreshnessResult } from '../phases/freshness.phase';
import type { EventsResult } from '../phases/events.phase';
import type { HostileResult } from '../phases/hostile.phase';
import type { BackfillResult } from '../phases/backfill.phase';
import type { IngestResult } from '../phases/ingest.phase';
import type { RedisMemoryResult } from '../phases/redis-memory.phase';

export interface BenchResults {
  startedAt: string;
  smoke: boolean;
  machine: Record<string, unknown>;
  mix: MixDescription;
  ingest?: IngestResult;
  e2e?: E2eResult;
  chunks?: ChunksResult;
  redis?: RedisMemoryResult;
  connections?: ConnectionsResult;
  freshness?: FreshnessResult;
  hostile?: HostileResult;
  events?: EventsResult;
  backfill?: BackfillResult;
  elapsedS?: number;
  targets?: TargetLine[];
  noise?: string[];
}

export interface TargetLine {
  id: string;
  figure: string;
  target: string;
  product: string;
  floor: string;
  /** product / floor where a ratio means something. */
  ratio: string;
  result: 'PASS' | 'FAIL' | 'SKIP';
}

/** A page is "constant time" when a late page's median stays within 1.5x of an early one's (plus 1 ms of jitter). */
export const CONSTANT_PAGE_RATIO = 1.5;

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (product: number, floor: number) => (Number.isFinite(product / floor) ? product / floor : NaN);
const verdict = (ok: boolean): 'PASS' | 'FAIL' => (ok ? 'PASS' : 'FAIL');

function skip(id: string, figure: string, target: string): TargetLine {
  return { id, figure, target, product: '-', floor: '-', ratio: '-', result: 'SKIP' };
}

/** Shared buffers (hit + read) of a plan's top node: the pages a query touched. */
export function planBuffers(plan: readonly string[]): number {
  const line = plan.find((text) => text.includes('Buffers:')) ?? '';
  return [...line.matchAll(/(?:hit|read)=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

function constantPages(first: number, last: number): boolean {
  return last <= first * CONSTANT_PAGE_RATIO + 1;
}

/** The targets table of issue 6, one line per figure, evaluated on this run's numbers. */
export function evaluateTargets(results: BenchResults): TargetLine[] {
  const lines: TargetLine[] = [];
  const { ingest, e2e, chunks, redis, connections } = results;

  const f1 = 'ingest accepted/s, 4 KB mix, 32 connections';
  if (ingest) {
    const r = ratio(ingest.product.acceptedPerSecond, ingest.floor.acceptedPerSecond);
    lines.push({ id: 'ingest-throughput', figure: f1, target: '>= 70 % of the floor', product: fmt(ingest.product.acceptedPerSecond, 0), floor: fmt(ingest.floor.acceptedPerSecond, 0), ratio: fmt(r, 2), result: verdict(r >= 0.7) });
  } else lines.push(skip('ingest-throughput', f1, '>= 70 % of the floor'));

  const f2 = 'ingest HTTP p99 at 300 req/s fixed rate';
  if (ingest) {
    const p = ingest.product.openLatency.p99;
    const f = ingest.floor.openLatency.p99;
    lines.push({ id: 'ingest-p99', figure: f2, target: "<= 2x the floor's, and < 50 ms", product: `${fmt(p, 2)} ms`, floor: `${fmt(f, 2)} ms`, ratio: fmt(ratio(p, f), 2), result: verdict(p <= 2 * f && p < 50) });
  } else lines.push(skip('ingest-p99', f2, "<= 2x the floor's, and < 50 ms"));

  for (const workers of ['1', '2']) {
    const figure = `end-to-end persisted/s, ${workers} worker${workers === '1' ? '' : 's'}`;
    if (e2e) {
      const p = e2e.product.persistedPerSecond[workers];
      const f = e2e.floor.persistedPerSecond[workers];
      const r = ratio(p, f);
      lines.push({ id: `e2e-throughput-${workers}w`, figure, target: '>= 60 % of the floor', product: fmt(p, 0), floor: fmt(f, 0), ratio: fmt(r, 2), result: verdict(r >= 0.6) });
    } else lines.push(skip(`e2e-throughput-${workers}w`, figure, '>= 60 % of the floor'));
  }

  const f5 = `end-to-end p99 at a sustainable rate${e2e ? ` (${e2e.product.latencyRatePerSecond} req/s, half the floor's 1-worker capacity)` : ''}, POST -> committed`;
  const t5 = "<= 1.5x the floor's p99 at that rate";
  if (e2e) {
    const p = e2e.product.visibleLatency.p99;
    const f = e2e.floor.visibleLatency.p99;
    const r = ratio(p, f);
    lines.push({ id: 'e2e-p99', figure: f5, target: t5, product: `${fmt(p)} ms`, floor: `${fmt(f)} ms`, ratio: fmt(r, 2), result: verdict(r <= 1.5) });
  } else lines.push(skip('e2e-p99', f5, t5));

  const f6 = '10 MB chunk accepted, concurrency 2';
  const chunk = (side: ChunksResult['product']) => side.sizes.find((size) => size.label === '10 MB');
  if (chunks && chunk(chunks.product)) {
    const p = chunk(chunks.product)!;
    const f = chunk(chunks.floor)!;
    const describe = (c: typeof p, rss: number) => `p99 ${fmt(c.latency.p99, 0)} ms, RSS ${fmt(rss, 0)} MB`;
    lines.push({
      id: 'chunk-10mb',
      figure: f6,
      target: 'p99 < 2 s; API peak RSS < 512 MB',
      product: describe(p, chunks.product.apiPeakRssMb),
      floor: describe(f, chunks.floor.apiPeakRssMb),
      ratio: fmt(ratio(p.latency.p99, f.latency.p99), 2),
      result: verdict(p.accepted > 0 && p.errors === 0 && p.latency.p99 < 2000 && chunks.product.apiPeakRssMb < 512),
    });
  } else lines.push(skip('chunk-10mb', f6, 'p99 < 2 s; API peak RSS < 512 MB'));

  const f7 = `Redis memory per waiting job (${redis ? redis.product.jobs.toLocaleString('en') : '100,000'} backlog)`;
  if (redis) {
    const p = redis.product.bytesPerJob;
    const f = redis.floor.bytesPerJob;
    lines.push({ id: 'redis-per-job', figure: f7, target: '< 1 KB (ids only, no payloads)', product: `${fmt(p, 0)} B`, floor: `${fmt(f, 0)} B`, ratio: fmt(ratio(p, f), 2), result: verdict(p < 1024 && redis.product.failedEnqueues === 0) });
  } else lines.push(skip('redis-per-job', f7, '< 1 KB (ids only, no payloads)'));

  const f8 = `GET /v1/connections?reference_id= with ${connections ? connections.rows.toLocaleString('en') : '1,000,000'} connections`;
  if (connections) {
    const { lookup, fullListing, bigReference } = connections;
    const constant =
      constantPages(fullListing.firstPages.p50, fullListing.lastPages.p50) && constantPages(bigReference.firstPages.p50, bigReference.lastPages.p50);
    lines.push({
      id: 'connections-list',
      figure: f8,
      target: 'p99 < 10 ms; each page of a full listing in constant time',
      product: `p99 ${fmt(lookup.p99, 2)} ms; late/first page ${fmt(fullListing.ratio, 2)}x, ${fmt(bigReference.ratio, 2)}x`,
      floor: '-',
      ratio: '-',
      result: verdict(lookup.p99 < 10 && lookup.errors === 0 && constant),
    });
  } else lines.push(skip('connections-list', f8, 'p99 < 10 ms; each page of a full listing in constant time'));

  const rows = results.freshness?.listing.rows ?? 1_000_000;
  const ff = `GET /v1/connections?freshness=stale with ${rows.toLocaleString('en')} connections (1 % stale)`;
  if (results.freshness) {
    const { stale, full, explain } = results.freshness.listing;
    const first = planBuffers(explain.staleFirstPage);
    const late = planBuffers(explain.staleLatePage);
    const indexed = [explain.staleFirstPage, explain.staleLatePage].every((plan) => plan.some((line) => line.includes('idx_terra_connections_stale')));
    lines.push({
      id: 'freshness-list',
      figure: ff,
      target: 'the stale index on every page, constant buffers per page; p99 beside the full listing',
      product:
        `p99 ${fmt(stale.all.p99, 2)} ms, page p50 first ${fmt(stale.firstPages.p50, 2)} / last ${fmt(stale.lastPages.p50, 2)} ms ` +
        `(full listing ${fmt(full.firstPages.p50, 2)} / ${fmt(full.lastPages.p50, 2)} ms); buffers first ${first} / late ${late}`,
      floor: '-',
      ratio: '-',
      // Buffers, not milliseconds: on a shared box the times drift with everyone else's load, the work does not.
      result: verdict(indexed && late <= first * CONSTANT_PAGE_RATIO),
    });
    const { job } = results.freshness;
    lines.push({
      id: 'freshness-job',
      figure: `freshness job, ${job.connections.toLocaleString('en')} connections x ${job.typesPerConnection} types`,
      target: 'measured: seconds per 100,000 connections',
      product: `${fmt(job.steadyRun.secondsPer100k, 2)} s steady, ${fmt(job.firstRun.secondsPer100k, 2)} s when every verdict changes`,
      floor: '-',
      ratio: '-',
      result: 'PASS',
    });
  } else {
    lines.push(skip('freshness-list', ff, 'the stale index on every page, constant buffers per page; p99 beside the full listing'));
    lines.push(skip('freshness-job', 'freshness job per 100,000 connections', 'measured'));
  }

  const fh = `hostile webhook bodies: ${results.hostile?.concurrency ?? 6} concurrent x 49 MB, every kind`;
  if (results.hostile) {
    const { apiPeakRssMb, slowestLiveMs, apiRssBeforeMb } = results.hostile;
    const fiveHundreds = results.hostile.waves.reduce((sum, wave) => sum + Object.entries(wave.outcomes).filter(([status]) => status.startsWith('5') && status !== '503').reduce((n, [, count]) => n + count, 0), 0);
    lines.push({
      id: 'hostile-rss',
      figure: fh,
      target: 'API peak RSS < 512 MB; no 5xx but 503; /health/live < 1 s',
      product: `RSS ${fmt(apiRssBeforeMb, 0)} -> ${fmt(apiPeakRssMb, 0)} MB; live ${fmt(slowestLiveMs, 0)} ms; ${fiveHundreds} 5xx`,
      floor: '-',
      ratio: '-',
      result: verdict(apiPeakRssMb < 512 && fiveHundreds === 0 && slowestLiveMs < 1000),
    });
  } else lines.push(skip('hostile-rss', fh, 'API peak RSS < 512 MB; no 5xx but 503; /health/live < 1 s'));

  const fe = 'outbound events delivered/s to a loopback receiver, 1 and 3 endpoints';
  const te = 'every event to every endpoint, signatures verify';
  if (results.events) {
    const { throughput, verified, badSignatures } = results.events;
    const ok = throughput.every((run) => run.missing === 0) && badSignatures === 0 && verified > 0;
    lines.push({
      id: 'events-throughput',
      figure: fe,
      target: te,
      product: throughput.map((run) => `${fmt(run.eventsPerSecond, 0)} events/s (${run.endpoints} ep, ${fmt(run.deliveriesPerSecond, 0)} deliveries/s)`).join('; '),
      floor: '-',
      ratio: '-',
      result: verdict(ok),
    });
  } else lines.push(skip('events-throughput', fe, te));

  const fl = `outbound event lag, commit -> receiver${results.events ? ` at ${results.events.lag.ratePerSecond}/s` : ''}`;
  const tl = 'p99 < dispatch interval (500 ms) + 1 s';
  if (results.events) {
    const { lag, dispatchIntervalMs } = results.events;
    lines.push({
      id: 'events-lag',
      figure: fl,
      target: tl,
      product: `p50 ${fmt(lag.summary.p50, 0)} ms, p99 ${fmt(lag.summary.p99, 0)} ms`,
      floor: '-',
      ratio: '-',
      result: verdict(lag.missing === 0 && lag.summary.p99 < dispatchIntervalMs + 1000),
    });
  } else lines.push(skip('events-lag', fl, tl));
  const fb = `on-connect backfill wave: ${results.backfill?.users ?? 1000} users x 30 days, every offered type, sandbox`;
  const tb = 'all finished; 0 x 429; days per user within Terra\'s 6,000/h';
  if (results.backfill) {
    const b = results.backfill;
    lines.push({
      id: 'backfill-wave',
      figure: fb,
      target: tb,
      product: `${b.allFinishedS === null ? 'not all' : `${fmt(b.allFinishedS)} s`}; ${b.dataRequests} req (${fmt(b.requestsPerSecond)}/s), ${b.rateLimited} x 429, max ${b.maxDaysPerUser} d/user; live p99 ${fmt(b.liveBefore.p99)} -> ${fmt(b.liveDuring.p99)} ms`,
      floor: '-',
      ratio: '-',
      result: verdict(b.allFinishedS !== null && b.rateLimited === 0 && b.maxDaysPerUser <= b.budgetPerUserHour && (b.byStatus.completed ?? 0) === b.users),
    });
  } else lines.push(skip('backfill-wave', fb, tb));

  const f9 = 'exactly-once count check';
  if (e2e) {
    const describe = (side: E2eResult['product']) => {
      const lost = side.exactlyOnce.reduce((sum, check) => sum + check.lost, 0);
      const doubled = side.exactlyOnce.reduce((sum, check) => sum + check.doubled, 0);
      const accepted = side.exactlyOnce.reduce((sum, check) => sum + check.accepted, 0);
      return `${lost} lost, ${doubled} doubled of ${accepted}`;
    };
    const ingestLost = ingest ? [...ingest.product.inbox, ...ingest.floor.inbox].reduce((sum, check) => sum + check.missing + check.answeredTwice, 0) : 0;
    const chunkLost = chunks ? [...chunks.product.sizes, ...chunks.floor.sizes].reduce((sum, size) => sum + size.missingFromInbox, 0) : 0;
    const ok = [...e2e.product.exactlyOnce, ...e2e.floor.exactlyOnce].every((check) => check.ok) && ingestLost === 0 && chunkLost === 0;
    lines.push({ id: 'exactly-once', figure: f9, target: '0 lost, 0 doubled, every run', product: describe(e2e.product), floor: describe(e2e.floor), ratio: '-', result: verdict(ok) });
  } else lines.push(skip('exactly-once', f9, '0 lost, 0 doubled, every run'));
  return lines;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Markdown tables: the targets, then where the CPU went (pasted as is into docs/performance.md). */
export function renderTable(results: BenchResults): string {
  const targets = results.targets ?? [];
  const out = [
    table(
      ['figure', 'target', 'product', 'floor', 'product/floor', 'result'],
      targets.map((t) => [t.figure, t.target, t.product, t.floor, t.ratio, t.result]),
    ),
  ];
  const resources: string[][] = [];
  const cpu = (label: string, figures: { cpuPercent: Record<string, number>; peakRssMb: Record<string, number>; postgres?: { rowsWrittenPerSecond: number; commitsPerSecond: number } }) => {
    const { cpuPercent: c, peakRssMb: m } = figures;
    const workers = Object.keys(c).filter((key) => key.startsWith('worker'));
    resources.push([
      label,
      fmt(c.api, 0),
      workers.map((w) => fmt(c[w], 0)).join(' + ') || '-',
      fmt(c.postgres, 0),
      fmt(c.redis, 0),
      fmt(c.loadgen, 0),
      fmt(c.other, 0),
      fmt(m.api, 0),
      workers.map((w) => fmt(m[w], 0)).join(' / ') || '-',
      figures.postgres ? `${fmt(figures.postgres.rowsWrittenPerSecond, 0)} / ${fmt(figures.postgres.commitsPerSecond, 0)}` : '-',
    ]);
  };
  for (const name of ['product', 'floor'] as const) {
    if (results.ingest) cpu(`${name}: ingest, 32 conns`, results.ingest[name].resources[0]);
    for (const f of results.e2e?.[name].runs[0]?.throughput ?? []) cpu(`${name}: end to end, ${f.workers} worker${f.workers > 1 ? 's' : ''}`, f.resources);
    const open = results.e2e?.[name].runs[0]?.openResources;
    if (open) cpu(`${name}: end to end, ${results.e2e?.[name].latencyRatePerSecond} req/s, 1 worker`, open);
  }
  const cost: string[][] = [];
  const costLine = (label: string, product: number | undefined, floor: number | undefined) => {
    if (product !== undefined && floor !== undefined) cost.push([label, fmt(product, 3), fmt(floor, 3), fmt(ratio(product, floor), 2)]);
  };
  costLine('API CPU ms per webhook (ingest, 32 conns)', results.ingest?.product.apiCpuMsPerRequest, results.ingest?.floor.apiCpuMsPerRequest);
  costLine('API CPU ms per webhook (end to end, 1 worker)', results.e2e?.product.apiCpuMsPerRequest, results.e2e?.floor.apiCpuMsPerRequest);
  costLine('worker CPU ms per applied event (1 worker)', results.e2e?.product.workerCpuMsPerEvent, results.e2e?.floor.workerCpuMsPerEvent);
  if (cost.length > 0) out.push('', table(['CPU cost (best round)', 'product', 'floor', 'product/floor'], cost));
  if (resources.length > 0) {
    out.push(
      '',
      table(
        ['run (first round)', 'api CPU %', 'worker CPU %', 'postgres CPU %', 'redis CPU %', 'loadgen CPU %', 'other CPU %', 'api peak RSS MB', 'worker peak RSS MB', 'PG rows/s / commits/s'],
        resources,
      ),
    );
  }
  return out.join('\n');
}

/** Measured windows where other work on the machine took more than `limit` % CPU: their numbers are suspect. */
export function noiseNotes(results: BenchResults, limit = 30): string[] {
  const notes: string[] = [];
  const check = (label: string, other: number | undefined) => {
    if (other !== undefined && other > limit) notes.push(`${label}: other processes used ${other.toFixed(0)} % CPU while measured`);
  };
  for (const name of ['product', 'floor'] as const) {
    results.ingest?.[name].resources.forEach((r, i) => check(`ingest ${name} run ${i + 1}`, r.cpuPercent.other));
    results.e2e?.[name].runs.forEach((run, i) =>
      run.throughput.forEach((f) => check(`end to end ${name} run ${i + 1}, ${f.workers} worker(s)`, f.resources.cpuPercent.other)),
    );
  }
  return notes;
}
