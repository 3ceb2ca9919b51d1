import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, REPO_ROOT } from '../infra/paths';

type Json = Record<string, unknown>;

/** One delivery as Terra would send it; the signature is added at send time by the load generator. */
export interface Delivery {
  body: string | Buffer;
  type: string;
  kind: 'connection' | 'data' | 'chunk';
  traceId: string;
  headers?: Record<string, string>;
}

/** Connected users seeded before a run: data events and status events are about them. */
export const POOL_USERS = 1_000;
export const BENCH_REFERENCE_PREFIX = 'bench-ref-';

/** Deterministic pool ids, so the seed SQL and the generator agree without sharing state. */
export function poolUserId(index: number): string {
  return `b0000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

export const SEED_POOL_SQL = `
  INSERT INTO terra_connections (terra_user_id, reference_id, provider, status, scopes, connected_at, status_changed_at)
  SELECT 'b0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'), 'bench-pool-' || i, 'GARMIN', 'active', '{}',
         now() - interval '1 day', now() - interval '1 day'
  FROM generate_series(0, $1::int - 1) AS i`;

/** Weights of the mix: 20 % connection events (~500 B), 80 % data events (~4 KB). */
const CONNECTION_MIX: [string, number][] = [
  ['auth_success', 0.5],
  ['permission_change', 0.2],
  ['connection_error', 0.15],
  ['large_request_sending', 0.15],
];
const DATA_MIX: [string, number][] = [
  ['daily', 0.3],
  ['activity', 0.25],
  ['sleep', 0.2],
  ['body', 0.15],
  ['nutrition', 0.1],
];
export const DATA_TYPES = DATA_MIX.map(([type]) => type);
const SUMMARY_KEYED = new Set(['activity', 'sleep']);
export const DATA_EVENT_BYTES = 4_096;

const TOKEN = /"__BENCH_(USER|REF|START|END|SUMMARY|SESSION)__"/;

/** A body template with quoted placeholders; render() substitutes JSON-safe values. */
class Template {
  private readonly parts: string[];

  constructor(
    readonly name: string,
    readonly type: string,
    json: string,
  ) {
    this.parts = json.split(TOKEN);
  }

  render(values: Partial<Record<'USER' | 'REF' | 'START' | 'END' | 'SUMMARY' | 'SESSION', string>>): string {
    let out = this.parts[0];
    for (let i = 1; i < this.parts.length; i += 2) {
      out += JSON.stringify(values[this.parts[i] as keyof typeof values] ?? '') + this.parts[i + 1];
    }
    return out;
  }
}

function pick<T>(weights: [T, number][], r: number): T {
  let acc = 0;
  for (const [value, weight] of weights) {
    acc += weight;
    if (r < acc) return value;
  }
  return weights[weights.length - 1][0];
}

/** A copy with every array cut to `max` items: how Terra-sized days are brought down to ~4 KB events. */
function trimArrays(value: unknown, max: number): unknown {
  if (Array.isArray(value)) return value.slice(0, max).map((item) => trimArrays(item, max));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Json).map(([key, item]) => [key, trimArrays(item, max)]));
  }
  return value;
}

function loadFixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Json;
}

function withUserTokens(event: Json): Json {
  const user = event.user as Json;
  return { ...event, user: { ...user, user_id: '__BENCH_USER__', reference_id: '__BENCH_REF__' } };
}

/** The data item's metadata keyed the way the product keys it: a fresh day or summary id per event. */
function dataTemplate(type: string, fixture: Json, targetBytes: number): Template {
  const item = (fixture.data as Json[])[0];
  const keyed = (candidate: Json): Json => {
    const metadata = { ...(candidate.metadata as Json) };
    if (SUMMARY_KEYED.has(type)) metadata.summary_id = '__BENCH_SUMMARY__';
    else Object.assign(metadata, { start_time: '__BENCH_START__', end_time: '__BENCH_END__' });
    return withUserTokens({ ...fixture, data: [{ ...candidate, metadata }] });
  };
  let best = JSON.stringify(keyed(trimArrays(item, 0) as Json));
  for (let max = 1; max <= 400; max += 1) {
    const candidate = JSON.stringify(keyed(trimArrays(item, max) as Json));
    if (candidate.length > targetBytes) break;
    best = candidate;
  }
  return new Template(type, type, best);
}

export interface MixDescription {
  /** Where the bodies came from, relative to the repository when inside it. */
  fixtures: string;
  connectionBytes: Record<string, number>;
  dataBytes: Record<string, number>;
  meanBytes: number;
}

/**
 * Realistic Terra deliveries, every one distinct: unique trace ids (so none is a duplicate), new Terra
 * users for `auth`, and for data events a (user, type, day or summary id) key never used before, so
 * each one inserts exactly one health_data row (what the exactly-once check counts).
 */
export class DeliveryFactory {
  private readonly connection = new Map<string, Template>();
  private readonly data = new Map<string, Template>();
  private sequence = 0;
  private readonly run = randomUUID().slice(0, 8);

  constructor(private readonly poolUsers = POOL_USERS) {
    for (const [name] of CONNECTION_MIX) {
      const json = loadFixture(name);
      const event = name === 'auth_success' ? { ...withUserTokens(json), reference_id: '__BENCH_REF__', widget_session_id: '__BENCH_SESSION__' } : withUserTokens(json);
      this.connection.set(name, new Template(name, String(json.type), JSON.stringify(event)));
    }
    for (const [type] of DATA_MIX) this.data.set(type, dataTemplate(type, loadFixture(type), DATA_EVENT_BYTES));
  }

  next(): Delivery {
    const seq = this.sequence++;
    const r = Math.random();
    return r < 0.2 ? this.connectionEvent(seq, r / 0.2) : this.dataEvent(seq, (r - 0.2) / 0.8);
  }

  private connectionEvent(seq: number, r: number): Delivery {
    const name = pick(CONNECTION_MIX, r);
    const template = this.connection.get(name)!;
    const body =
      name === 'auth_success'
        ? template.render({ USER: randomUUID(), REF: `${BENCH_REFERENCE_PREFIX}${seq % 5_000}`, SESSION: randomUUID() })
        : template.render({ USER: poolUserId(seq % this.poolUsers), REF: `bench-pool-${seq % this.poolUsers}` });
    return { body, type: template.type, kind: 'connection', traceId: randomUUID() };
  }

  private dataEvent(seq: number, r: number): Delivery {
    const type = pick(DATA_MIX, r);
    const user = seq % this.poolUsers;
    // (user, day) is unique per sequence number, so no two day-keyed events share a key.
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(seq / this.poolUsers) * 86_400_000).toISOString().slice(0, 10);
    const body = this.data.get(type)!.render({
      USER: poolUserId(user),
      REF: `bench-pool-${user}`,
      START: `${day}T00:00:00.000000+00:00`,
      END: `${day}T23:59:59.000000+00:00`,
      SUMMARY: `bench-${this.run}-${seq}`,
    });
    return { body, type, kind: 'data', traceId: randomUUID() };
  }

  /** A backfill chunk (Terra splits large requests into chunks sharing terra-reference): activities. */
  static chunk(targetBytes: number): Buffer {
    const json = loadFixture('activity');
    const item = (json.data as Json[])[0];
    const itemBytes = JSON.stringify(item).length;
    const count = Math.max(1, Math.round(targetBytes / (itemBytes + 1)));
    const run = randomUUID().slice(0, 8);
    const data = Array.from({ length: count }, (_, i) => ({
      ...item,
      metadata: { ...(item.metadata as Json), summary_id: `backfill-${run}-${i}` },
    }));
    return Buffer.from(JSON.stringify({ ...json, user: { ...(json.user as Json), user_id: poolUserId(0) }, data }), 'utf8');
  }

  describe(): MixDescription {
    const sample = (template: Template) =>
      template.render({ USER: randomUUID(), REF: 'bench-ref-1', START: '2020-01-01', END: '2020-01-01', SUMMARY: 'x', SESSION: randomUUID() })
        .length;
    const connectionBytes = Object.fromEntries([...this.connection].map(([name, t]) => [name, sample(t)]));
    const dataBytes = Object.fromEntries([...this.data].map(([name, t]) => [name, sample(t)]));
    const mean =
      0.2 * CONNECTION_MIX.reduce((sum, [name, w]) => sum + w * connectionBytes[name], 0) +
      0.8 * DATA_MIX.reduce((sum, [name, w]) => sum + w * dataBytes[name], 0);
    return { fixtures: path.relative(REPO_ROOT, FIXTURES_DIR) || '.', connectionBytes, dataBytes, meanBytes: Math.round(mean) };
  }
}
