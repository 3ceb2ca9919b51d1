/**
 * `npm run bench` (`-- --smoke` for CI): terra-connections against the raw-stack floor on this machine.
 * Prints the targets table of issue 6 and writes bench/results/<timestamp>.json. See docs/performance.md.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropAllDatabases } from './infra/bench-database';
import { benchSettings, PHASES } from './infra/bench-settings';
import { killAllChildrenNow } from './infra/child-app';
import { setQuietBudget } from './infra/machine-quiet';
import { RESULTS_DIR } from './infra/paths';
import { purgeAllQueuePrefixes } from './infra/redis-prefix';
import { DeliveryFactory } from './load/terra-deliveries';
import { backfillPhase } from './phases/backfill.phase';
import { chunksPhase } from './phases/chunks.phase';
import { connectionsPhase } from './phases/connections.phase';
import { e2ePhase } from './phases/e2e.phase';
import { freshnessPhase } from './phases/freshness.phase';
import { eventsPhase } from './phases/events.phase';
import { hostilePhase } from './phases/hostile.phase';
import { ingestPhase } from './phases/ingest.phase';
import type { PhaseContext } from './phases/phase-context';
import { redisMemoryPhase } from './phases/redis-memory.phase';
import { evaluateTargets, noiseNotes, renderTable, type BenchResults } from './report/targets';
import { FloorSystem, ProductSystem, type SystemUnderTest } from './systems/system-under-test';

function machine() {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

async function cleanup(): Promise<void> {
  killAllChildrenNow();
  await dropAllDatabases();
  await purgeAllQueuePrefixes();
}

async function main(): Promise<number> {
  const settings = benchSettings(process.argv.slice(2), process.env);
  setQuietBudget(settings.quietBudgetMs);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(RESULTS_DIR, stamp);
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
  const context: PhaseContext = { settings, logDir, log };
  const systems: [SystemUnderTest, SystemUnderTest] = [new ProductSystem(), new FloorSystem()];
  const wanted = (phase: (typeof PHASES)[number]) => !settings.only || settings.only.has(phase);

  const mix = new DeliveryFactory().describe();
  log(`terra-connections bench (${settings.smoke ? 'smoke' : 'full'}), ${settings.rounds} round(s), fixtures: ${mix.fixtures}, mean body ${mix.meanBytes} B`);
  const results: BenchResults = { startedAt: new Date(started).toISOString(), smoke: settings.smoke, machine: machine(), mix };

  if (wanted('ingest')) {
    log('ingest: 4 KB mix, closed loop then fixed rate, no worker');
    results.ingest = await ingestPhase(systems, context);
  }
  if (wanted('e2e')) {
    log('end to end: API + worker(s) -> Postgres, exactly-once checked');
    results.e2e = await e2ePhase(systems, context);
  }
  if (wanted('chunks')) {
    log('backfill chunks: 1 MB and 10 MB at concurrency 2');
    results.chunks = await chunksPhase(systems, context);
  }
  if (wanted('redis')) {
    log(`Redis memory per waiting job: ${settings.redis.jobs} apply jobs, no worker`);
    results.redis = await redisMemoryPhase(context);
  }
  if (wanted('connections')) {
    log(`GET /v1/connections with ${settings.connections.rows} connections`);
    results.connections = await connectionsPhase(context);
  }

  if (wanted('freshness')) {
    log(`freshness: GET /v1/connections?freshness=stale with ${settings.freshness.rows} connections; the job over ${settings.freshness.jobConnections}`);
    results.freshness = await freshnessPhase(context);
  }

  if (wanted('events')) {
    log(`outbound events: ${settings.events.events} per batch to 1 and 3 loopback endpoints, then commit-to-receiver lag`);
    results.events = await eventsPhase(context);
  }

  if (wanted('hostile')) {
    log(`hostile bodies: ${settings.hostile.concurrency} concurrent 49 MB bodies per wave, API RSS`);
    results.hostile = await hostilePhase(systems[0], context);
  }

  if (wanted('backfill')) {
    log(`backfill wave: ${settings.backfill.users} ${settings.backfill.provider} connects, 30 days on connect, against the sandbox`);
    results.backfill = await backfillPhase(context);
  }

  results.elapsedS = Math.round((Date.now() - started) / 100) / 10;
  results.targets = evaluateTargets(results);
  results.noise = noiseNotes(results);
  const file = path.join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const noise = results.noise.length > 0 ? `\nnoisy windows (rerun when the machine is quiet):\n${results.noise.map((n) => `  - ${n}`).join('\n')}\n` : '';
  process.stdout.write(`\n${renderTable(results)}\n${noise}\nresults: ${path.relative(process.cwd(), file)}; logs: ${path.relative(process.cwd(), logDir)}/\n`);

  const exactlyOnceFailed = results.targets.some((line) => line.id === 'exactly-once' && line.result === 'FAIL');
  const anyFailed = results.targets.some((line) => line.result === 'FAIL');
  if (exactlyOnceFailed) process.stdout.write('exactly-once check FAILED: the run fails whatever the mode\n');
  return exactlyOnceFailed || (anyFailed && !settings.smoke) ? 1 : 0;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping children, dropping bench databases, purging queues\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanup();
    process.exit(2);
  });
