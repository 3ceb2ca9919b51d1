import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { Delivery } from './terra-deliveries';
import { signTerraBody } from './terra-signature';

export interface LoadOptions {
  /** http://127.0.0.1:<port>: the load never leaves the machine. */
  origin: string;
  secret: string;
  next: () => Delivery;
  durationMs: number;
  /** Closed loop: this many requests in flight, each sent when the previous one answered. */
  concurrency?: number;
  /** Open loop: requests started at this fixed rate whatever the answers; latency counts from the intended start. */
  ratePerSecond?: number;
  /** Closed loop only: a request waits while this says no (bounds the end-to-end backlog). */
  gate?: () => boolean;
  requestTimeoutMs?: number;
}

export interface AcceptedEvent {
  eventId: string;
  traceId: string;
  /** Wall clock (ms) when the request was meant to start: compared with Postgres-side visibility. */
  sentAtMs: number;
}

export interface LoadResult {
  mode: 'closed' | 'open';
  concurrency?: number;
  ratePerSecond?: number;
  elapsedS: number;
  sent: number;
  accepted: number;
  duplicates: number;
  errors: number;
  errorKinds: Record<string, number>;
  bytesSent: number;
  acceptedPerSecond: number;
  /** HTTP latency (ms) of every answered request. */
  latenciesMs: number[];
  events: AcceptedEvent[];
}

/** Signs at send time and POSTs Terra deliveries with undici, closed-loop or open-loop, bounded in time. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const open = options.ratePerSecond !== undefined;
  const connections = open ? Math.max(16, Math.ceil((options.ratePerSecond ?? 0) / 10)) : (options.concurrency ?? 1);
  const pool = new Pool(options.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: options.requestTimeoutMs ?? 30_000,
    bodyTimeout: options.requestTimeoutMs ?? 30_000,
  });
  const result: LoadResult = {
    mode: open ? 'open' : 'closed',
    concurrency: open ? undefined : options.concurrency,
    ratePerSecond: options.ratePerSecond,
    elapsedS: 0,
    sent: 0,
    accepted: 0,
    duplicates: 0,
    errors: 0,
    errorKinds: {},
    bytesSent: 0,
    acceptedPerSecond: 0,
    latenciesMs: [],
    events: [],
  };
  const error = (kind: string) => {
    result.errors += 1;
    result.errorKinds[kind] = (result.errorKinds[kind] ?? 0) + 1;
  };
  const perfStart = performance.now();
  const wallStart = Date.now();

  const send = async (intendedAt: number): Promise<void> => {
    const delivery = options.next();
    const signature = signTerraBody(delivery.body, options.secret);
    result.sent += 1;
    result.bytesSent += Buffer.byteLength(delivery.body);
    try {
      const res = await pool.request({
        path: '/webhooks/terra',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'terra-signature': signature,
          'x-terra-signature': signature,
          'x-terra-trace-id': delivery.traceId,
          'x-terra-ordering-timestamp': String(Date.now()),
          ...delivery.headers,
        },
        body: delivery.body,
      });
      const text = await res.body.text();
      result.latenciesMs.push(performance.now() - intendedAt);
      if (res.statusCode !== 200) return error(`HTTP ${res.statusCode}`);
      const answer = JSON.parse(text) as { status?: string; event_id?: string };
      if (answer.status === 'accepted' && answer.event_id) {
        result.accepted += 1;
        result.events.push({ eventId: String(answer.event_id), traceId: delivery.traceId, sentAtMs: wallStart + (intendedAt - perfStart) });
      } else if (answer.status === 'duplicate') {
        result.duplicates += 1;
      } else {
        error(`unexpected body ${text.slice(0, 60)}`);
      }
    } catch (failure) {
      error((failure as { code?: string }).code ?? (failure as Error).name);
    }
  };

  const end = perfStart + options.durationMs;
  if (open) {
    const interval = 1000 / (options.ratePerSecond ?? 1);
    const inFlight = new Set<Promise<void>>();
    let next = perfStart;
    while (next < end) {
      const now = performance.now();
      while (next <= now && next < end) {
        const request = send(next);
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
        next += interval;
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
  } else {
    const user = async () => {
      while (performance.now() < end) {
        if (options.gate && !options.gate()) {
          await sleep(2);
          continue;
        }
        await send(performance.now());
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 1 }, user));
  }
  result.elapsedS = (performance.now() - perfStart) / 1000;
  result.acceptedPerSecond = result.accepted / result.elapsedS;
  await pool.close();
  return result;
}
