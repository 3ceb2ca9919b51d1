/**
 * The backfill domain: a backfill asks Terra for a connection's past data, one request per data type and range
 * slice, and tracks each request until its data is stored (docs/http-api.md, "Backfills").
 *
 * PERSISTED VALUES: statuses and triggers are stored in backfills / backfill_requests and shown on the wire.
 */
export const BACKFILL_STATUSES = ['scheduled', 'running', 'waiting', 'completed', 'failed', 'stalled', 'unsupported'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/** Statuses a backfill does not leave on its own (a late chunk can still complete a stalled one). */
export const FINISHED_BACKFILL_STATUSES: readonly BackfillStatus[] = ['completed', 'failed', 'stalled', 'unsupported'];

export type BackfillTrigger = 'connect' | 'api';

/**
 * One request's life: `scheduled` -> `sent` (Terra answered with a reference) -> `completed`; `waiting` for the
 * rate budget, a 429, Terra's `processing` answer or a provider's `rate_limit_hit`; `stalled` when its data
 * stopped arriving (asked again for the missing part while `next_at` is set; for good once it is null);
 * `failed` with Terra's reason.
 */
export type BackfillRequestStatus = 'scheduled' | 'waiting' | 'sent' | 'completed' | 'failed' | 'stalled';

/**
 * Apple Health, Samsung Health, Health Connect (MOBILE_SDK_PROVIDERS, freshness.ts) have no REST history: the app's
 * SDK reads it (terra-contract.md §11).
 */
export const MOBILE_SDK_MESSAGE =
  'This source has no REST history: the app using the Terra mobile SDK brings its history when it connects.';

export interface BackfillTypeProgress {
  type: string;
  status: BackfillStatus;
  /** Data calls made to Terra for this type (re-requests and retries included). */
  requestsMade: number;
  chunksReceived: number;
  /** Chunks Terra announced (large_request_sending); null until it did, or for a request of a month or less. */
  chunksExpected: number | null;
  /** Distinct calendar dates of this type stored for the connection within the backfill's range. */
  datesStored: number;
  /** Terra's reason when it failed (or why it waits). */
  reason: string | null;
  /** When the scheduler will next act on it (send, ask again, or call it stalled); null: nothing planned. */
  nextActionAt: Date | null;
}

export interface Backfill {
  id: string;
  connectionId: string;
  terraUserId: string;
  provider: string | null;
  trigger: BackfillTrigger;
  status: BackfillStatus;
  startDate: string | null;
  endDate: string | null;
  types: string[] | null;
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  progress: BackfillTypeProgress[];
}

interface RequestState {
  status: BackfillRequestStatus;
  nextAt: Date | null;
  requestsMade: number;
}

/** A request nothing more will happen to: completed, failed, or stalled with no re-request left. */
export const isFinalRequest = (request: RequestState) =>
  request.status === 'completed' || request.status === 'failed' || (request.status === 'stalled' && request.nextAt === null);

/**
 * The status of a set of requests (a backfill's, or one type's): finished when every request is, `stalled`
 * while one is being asked again, `running` while Terra owes data, `waiting` when all that is left waits.
 */
export function deriveStatus(requests: readonly RequestState[]): BackfillStatus {
  if (requests.length === 0) return 'completed';
  const live = requests.filter((request) => !isFinalRequest(request));
  if (live.length === 0) {
    if (requests.some((request) => request.status === 'failed')) return 'failed';
    if (requests.some((request) => request.status === 'stalled')) return 'stalled';
    return 'completed';
  }
  if (live.some((request) => request.status === 'stalled')) return 'stalled';
  if (live.some((request) => request.status === 'sent')) return 'running';
  if (live.every((request) => request.status === 'waiting')) return 'waiting';
  const started = requests.some((request) => request.requestsMade > 0 || request.status === 'completed');
  return started ? 'running' : 'scheduled';
}

const DAY_MS = 86_400_000;

export function addDays(day: string, offset: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + offset * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `start` to `end`, both included. */
export function daysIn(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00.000Z`) - Date.parse(`${start}T00:00:00.000Z`)) / DAY_MS) + 1;
}

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** [start, end] cut into consecutive ranges of at most `maxDays` days. */
export function splitRange(start: string, end: string, maxDays: number): { start: string; end: string }[] {
  const ranges: { start: string; end: string }[] = [];
  for (let from = start; from <= end; from = addDays(from, maxDays)) {
    const to = addDays(from, maxDays - 1);
    ranges.push({ start: from, end: to < end ? to : end });
  }
  return ranges;
}

/** The calendar months [start, end] touches, each clamped to the range: how Terra chunks a request (§11). */
export function monthsOf(start: string, end: string): { start: string; end: string }[] {
  const months: { start: string; end: string }[] = [];
  let from = start;
  while (from <= end) {
    const next = new Date(Date.UTC(Number(from.slice(0, 4)), Number(from.slice(5, 7)), 1)).toISOString().slice(0, 10);
    const last = addDays(next, -1);
    months.push({ start: from, end: last < end ? last : end });
    from = next;
  }
  return months;
}
