import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { BenchDatabase } from '../infra/bench-database';
import { summarize, type LatencySummary } from '../load/latency-stats';
import { BENCH_API_KEY } from '../systems/system-under-test';
import { round1 } from './phase-context';

export interface ListingPage {
  ms: number;
  status: number;
  body: { data: unknown[]; next_cursor: string | null };
}

/** Pages of one end of a listing against the other: how far "constant time per page" is from 1. */
export interface PageEnds {
  firstPages: LatencySummary;
  lastPages: LatencySummary;
  ratio: number;
}

export function pageEnds(first: number[], last: number[]): PageEnds {
  const firstPages = summarize(first);
  const lastPages = summarize(last);
  return { firstPages, lastPages, ratio: round1((lastPages.p50 / firstPages.p50) * 100) / 100 };
}

/**
 * GET /v1/connections one request at a time, as the connections and freshness phases time it: single requests,
 * and keyset walks from the start or from a listing key (the cursor is base64url of that key).
 */
export class ListingClient {
  private readonly http: Pool;

  constructor(
    origin: string,
    private readonly pageSize: number,
  ) {
    this.http = new Pool(origin, { connections: 1, pipelining: 1 });
  }

  async get(path: string): Promise<ListingPage> {
    const started = performance.now();
    const res = await this.http.request({ path, method: 'GET', headers: { authorization: `Bearer ${BENCH_API_KEY}` } });
    const text = await res.body.text();
    return { ms: performance.now() - started, status: res.statusCode, body: res.statusCode === 200 ? JSON.parse(text) : { data: [], next_cursor: null } };
  }

  /** Up to `pages` pages of `/v1/connections?<query>`, after listing key `startAfter` (null: from the start); their times. */
  async walk(query: string, startAfter: number | null, pages: number): Promise<number[]> {
    const times: number[] = [];
    let cursor = startAfter === null ? null : Buffer.from(String(startAfter)).toString('base64url');
    for (let page = 0; page < pages; page += 1) {
      const res = await this.get(`/v1/connections?${query}limit=${this.pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
      if (res.status !== 200) throw new Error(`listing page answered ${res.status}`);
      times.push(res.ms);
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    return times;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of one of the product's statements, as plan lines. */
export async function explainLines(db: BenchDatabase, sql: string, params: unknown[]): Promise<string[]> {
  return (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).map((row) => row['QUERY PLAN']);
}
