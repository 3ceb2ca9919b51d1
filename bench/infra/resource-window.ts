import IORedis from 'ioredis';
import type { BenchDatabase } from './bench-database';
import { postgresBackgroundPids } from './bench-database';
import { CpuWindow, machineBusySeconds, memory } from './proc-stats';
import { redisInfo, redisOptions } from './redis-prefix';

export interface ResourceFigures {
  /**
   * CPU %, 100 = one full core; `postgres` sums this database's backends and Postgres' background processes;
   * `redis` is the whole Redis server; `other` is the rest of the machine (noise from other work).
   */
  cpuPercent: Record<string, number>;
  /** VmHWM of each named process at the end of the window (peak since it started). */
  peakRssMb: Record<string, number>;
  postgres: { rowsWrittenPerSecond: number; rowsInsertedPerSecond: number; rowsUpdatedPerSecond: number; commitsPerSecond: number };
}

interface PgCounters {
  ins: number;
  upd: number;
  del: number;
  commits: number;
}

async function pgCounters(db: BenchDatabase): Promise<PgCounters> {
  const row = await db.one<{ ins: string; upd: string; del: string; commits: string }>(
    `SELECT tup_inserted AS ins, tup_updated AS upd, tup_deleted AS del, xact_commit AS commits FROM pg_stat_database WHERE datname = $1`,
    [db.name],
  );
  return { ins: Number(row.ins), upd: Number(row.upd), del: Number(row.del), commits: Number(row.commits) };
}

/**
 * CPU, peak RSS and Postgres write rates over one measured window. Postgres flushes its counters at most
 * once a second per backend, so the bench ends the window after a settle of that length.
 */
export class ResourceWindow {
  private constructor(
    private readonly processes: Record<string, number>,
    private readonly db: BenchDatabase,
    private readonly cpuWindows: Map<string, CpuWindow>,
    private readonly redisCpuStart: number,
    private readonly loadgenStart: NodeJS.CpuUsage,
    private readonly pgStart: PgCounters,
    private readonly startedAt: number,
    private readonly machineStart = machineBusySeconds(),
  ) {}

  static async begin(processes: Record<string, number>, db: BenchDatabase): Promise<ResourceWindow> {
    const cpu = new Map<string, CpuWindow>();
    for (const [name, pid] of Object.entries(processes)) cpu.set(name, new CpuWindow([pid]));
    cpu.set('postgres', new CpuWindow([...(await db.backendPids()), ...(await postgresBackgroundPids(db))]));
    return new ResourceWindow(processes, db, cpu, await redisCpu(), process.cpuUsage(), await pgCounters(db), Date.now());
  }

  /** CPU % and peak RSS from the start of the window up to now. */
  async cpu(): Promise<Pick<ResourceFigures, 'cpuPercent' | 'peakRssMb'>> {
    const elapsedS = (Date.now() - this.startedAt) / 1000;
    const cpuPercent: Record<string, number> = {};
    for (const [name, window] of this.cpuWindows) cpuPercent[name] = round(window.percent());
    cpuPercent.redis = round((100 * ((await redisCpu()) - this.redisCpuStart)) / elapsedS);
    const loadgen = process.cpuUsage(this.loadgenStart);
    cpuPercent.loadgen = round((100 * (loadgen.user + loadgen.system)) / 1e6 / elapsedS);
    // Everything else on the machine (other test runs, the OS): large values mean a noisy measurement.
    const machine = (100 * (machineBusySeconds() - this.machineStart)) / elapsedS;
    const ours = Object.values(cpuPercent).reduce((sum, value) => sum + value, 0);
    cpuPercent.other = round(Math.max(0, machine - ours));
    const peakRssMb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.processes)) peakRssMb[name] = round(memory(pid)?.peakRssMb ?? NaN);
    return { cpuPercent, peakRssMb };
  }

  /** CPU and RSS up to now, Postgres rates up to now (after waiting for Postgres to publish its counters). */
  async end(): Promise<ResourceFigures> {
    const cpu = await this.cpu();
    const until = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    return { ...cpu, postgres: await this.postgresRates(until) };
  }

  /** Rows written per second over [start, activeUntil]; call a second or more after activeUntil. */
  async postgresRates(activeUntil: number): Promise<ResourceFigures['postgres']> {
    const pg = await pgCounters(this.db);
    const activeS = (activeUntil - this.startedAt) / 1000;
    const rate = (value: number) => round(value / activeS);
    return {
      rowsWrittenPerSecond: rate(pg.ins - this.pgStart.ins + pg.upd - this.pgStart.upd + pg.del - this.pgStart.del),
      rowsInsertedPerSecond: rate(pg.ins - this.pgStart.ins),
      rowsUpdatedPerSecond: rate(pg.upd - this.pgStart.upd),
      commitsPerSecond: rate(pg.commits - this.pgStart.commits),
    };
  }
}

/** Redis' whole-server CPU (seconds): shared with anything else using it, so an upper bound for us. */
async function redisCpu(): Promise<number> {
  const redis = new IORedis(redisOptions());
  try {
    const info = await redisInfo(redis, 'cpu');
    return (info.used_cpu_user ?? 0) + (info.used_cpu_sys ?? 0);
  } finally {
    redis.disconnect();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
