import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { BenchDatabase } from '../infra/bench-database';
import { memory, RssPeakSampler } from '../infra/proc-stats';
import { newQueuePrefix, purgeQueuePrefix } from '../infra/redis-prefix';
import { signTerraBody } from '../load/terra-signature';
import { DeliveryFactory } from '../load/terra-deliveries';
import { BENCH_WEBHOOK_SECRET, type SystemUnderTest } from '../systems/system-under-test';
import { round1, target, type PhaseContext } from './phase-context';

const MB = 1024 * 1024;

export interface HostileWave {
  label: string;
  /** Answers by status; `closed` = the connection ended before an answer (the server refused to read on). */
  outcomes: Record<string, number>;
  apiPeakRssMb: number;
  /** Slowest /health/live answer while the wave ran. */
  slowestLiveMs: number;
}

export interface HostileResult {
  concurrency: number;
  bodyMb: number;
  apiRssBeforeMb: number;
  waves: HostileWave[];
  /** VmHWM of the API process over the whole phase. */
  apiPeakRssMb: number;
  slowestLiveMs: number;
}

interface Send {
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  chunked?: boolean;
}

function send(origin: string, spec: Send): Promise<string> {
  return new Promise((resolve) => {
    const headers = spec.chunked ? spec.headers : { ...spec.headers, 'content-length': String(spec.body.length) };
    const req = httpRequest(`${origin}/webhooks/terra`, { method: spec.method, headers, agent: false });
    let answered = false;
    req.setTimeout(120_000, () => req.destroy());
    req.on('response', (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve(String(res.statusCode));
      });
    });
    req.on('error', () => {
      if (!answered) resolve('closed');
    });
    req.on('close', () => {
      if (!answered) resolve('closed');
    });
    // 1 MB at a time, as a network would deliver it: a server that answers early stops the sender.
    let offset = 0;
    const pump = () => {
      while (!answered && !req.destroyed && offset < spec.body.length) {
        const chunk = spec.body.subarray(offset, offset + MB);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    req.flushHeaders();
    pump();
  });
}

class LiveProbe {
  slowest = 0;
  private running = true;
  private readonly loop: Promise<void>;
  constructor(private readonly origin: string) {
    this.loop = this.run();
  }
  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        await (await fetch(`${this.origin}/health/live`, { signal: AbortSignal.timeout(30_000) })).arrayBuffer();
      } catch {
        // counted as its time
      }
      this.slowest = Math.max(this.slowest, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  async stop(): Promise<number> {
    this.running = false;
    await this.loop;
    return this.slowest;
  }
}

/**
 * issue 12: the API's resident memory under N concurrent bodies of 49 MB (just under the 50 MB limit), in
 * waves of what an attacker or a broken sender can send without the secret (a well-formed but wrong signature,
 * declared or chunked; other methods; a gzip bomb; no signature) and what Terra itself sends (valid
 * signatures, a real activity backfill chunk). Product only: the floor has no such limits to compare with.
 */
export async function hostilePhase(product: SystemUnderTest, context: PhaseContext): Promise<HostileResult> {
  const { concurrency, rounds } = context.settings.hostile;
  const bodyBytes = 49 * MB;
  const db = await BenchDatabase.create('hostile_product');
  const prefix = newQueuePrefix('hostile-product');
  const junk = Buffer.alloc(bodyBytes, 'a');
  const bomb = gzipSync(Buffer.alloc(200 * MB, ' '));
  const chunk = DeliveryFactory.chunk(bodyBytes);
  // Within WEBHOOK_MAX_BODY_VALUES: 48 items of about 1 MB of samples each, so the body is stored, not refused.
  const stored = Buffer.from(
    JSON.stringify({
      type: 'activity',
      user: { user_id: 'bench-hostile-user', provider: 'GARMIN', reference_id: 'bench' },
      data: Array.from({ length: 48 }, (_, index) => ({ metadata: { summary_id: `big-${index}` }, samples: 'x'.repeat(bodyBytes / 48 - 200) })),
    }),
  );
  const wrong = () => `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
  const waves: { label: string; spec: () => Send }[] = [
    { label: 'wrong signature, declared length', spec: () => ({ method: 'POST', headers: { 'terra-signature': wrong() }, body: junk }) },
    { label: 'wrong signature, chunked', spec: () => ({ method: 'POST', headers: { 'terra-signature': wrong() }, body: junk, chunked: true }) },
    { label: 'PUT / PATCH / DELETE', spec: () => ({ method: ['PUT', 'PATCH', 'DELETE'][Math.floor(Math.random() * 3)], headers: { 'terra-signature': wrong() }, body: junk }) },
    { label: 'gzip bomb (200 MB inflated), wrong signature', spec: () => ({ method: 'POST', headers: { 'terra-signature': wrong(), 'content-encoding': 'gzip' }, body: bomb }) },
    { label: 'no signature', spec: () => ({ method: 'POST', headers: {}, body: junk }) },
    // A real chunk's shape at 49 MB holds 2.4M values: refused 400 since the value limit (the stored wave below is the memory case).
    { label: 'valid signature, 49 MB activity chunk', spec: () => ({ method: 'POST', headers: { 'terra-signature': signTerraBody(chunk, BENCH_WEBHOOK_SECRET), 'content-type': 'application/json' }, body: chunk }) },
    { label: 'valid signature, 49 MB of large values (stored)', spec: () => ({ method: 'POST', headers: { 'terra-signature': signTerraBody(stored, BENCH_WEBHOOK_SECRET), 'content-type': 'application/json', 'x-terra-trace-id': randomUUID() }, body: stored }) },
  ];
  try {
    const api = await product.startApi(target(db, prefix, context, 'hostile'));
    try {
      const before = memory(api.app.pid)?.rssMb ?? NaN;
      const results: HostileWave[] = [];
      for (const wave of waves) {
        const outcomes: Record<string, number> = {};
        const sampler = new RssPeakSampler(api.app.pid, 25);
        const live = new LiveProbe(api.origin);
        for (let round = 0; round < rounds; round += 1) {
          const answers = await Promise.all(Array.from({ length: concurrency }, () => send(api.origin, wave.spec())));
          for (const answer of answers) outcomes[answer] = (outcomes[answer] ?? 0) + 1;
        }
        const figures = { label: wave.label, outcomes, apiPeakRssMb: round1(sampler.stop()), slowestLiveMs: await live.stop() };
        results.push(figures);
        context.log(`  hostile ${wave.label}: ${JSON.stringify(outcomes)}, api peak RSS ${figures.apiPeakRssMb} MB, slowest /health/live ${figures.slowestLiveMs} ms`);
      }
      return {
        concurrency,
        bodyMb: 49,
        apiRssBeforeMb: round1(before),
        waves: results,
        apiPeakRssMb: round1(memory(api.app.pid)?.peakRssMb ?? NaN),
        slowestLiveMs: Math.max(...results.map((wave) => wave.slowestLiveMs)),
      };
    } finally {
      await api.app.stop();
    }
  } finally {
    await db.drop();
    await purgeQueuePrefix(prefix);
  }
}
