import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { preparedStatement, queryPreparedOnPool } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';

/** One verified delivery, as the receiver hands it over: the body stays the exact bytes Terra signed. */
export interface InboxDelivery {
  rawBody: string;
  type: string;
  terraUserId: string | null;
  referenceId: string | null;
  /** x-terra-trace-id: stable across Terra's retries, so the best dedup key when sent (terra-contract.md §4). */
  traceId?: string;
  terraReference?: string;
  /** x-terra-ordering-timestamp, unix ms. */
  orderingTimestampMs?: number;
  signatureTimestampSeconds: number;
  requestId?: string;
}

export interface InboxRecordResult {
  id: string;
  /** false: the dedup key was already stored (a Terra retry or a replayed delivery); only counted. */
  inserted: boolean;
}

/** Column widths of webhook_events: a signed body must never fail to store because a field is long. */
const MAX = { dedupKey: 200, type: 64, terraUserId: 64, referenceId: 255, terraReference: 255, requestId: 64 } as const;

function fit(value: string | null | undefined, max: number): string | null {
  return value ? value.slice(0, max) : null;
}

/** x-terra-trace-id when present, else SHA-256 of the body; never terra-reference (shared by backfill chunks). */
export function inboxDedupKey(rawBody: string, traceId?: string): string {
  if (traceId && traceId.length <= MAX.dedupKey) return traceId;
  const hash = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
  return traceId ? `trace-sha256:${hash(traceId)}` : hash(rawBody);
}

/** The time the event is ordered by: Terra's ordering timestamp when sent, else the signature's `t`. */
export function inboxEventAt(delivery: Pick<InboxDelivery, 'orderingTimestampMs' | 'signatureTimestampSeconds'>): Date {
  return new Date(delivery.orderingTimestampMs ?? delivery.signatureTimestampSeconds * 1000);
}

/** The bench floor keeps a copy of this text (pinned by bench/floor/floor-sql.spec.ts). */
export const INSERT_INBOX_ROW = preparedStatement(
  'tc_inbox_insert',
  `INSERT INTO webhook_events
     (dedup_key, type, terra_user_id, reference_id, terra_reference, ordering_timestamp, event_at, payload, request_id)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
   ON CONFLICT (dedup_key) DO UPDATE SET duplicate_count = webhook_events.duplicate_count + 1
   RETURNING id, (xmax = 0) AS inserted`,
);

/**
 * The receiver's only database work: one statement, no entity hydration. The payload goes in as the body
 * text cast to jsonb, never re-serialised, so a 10 MB backfill chunk costs one parse (in Postgres). A named
 * prepared statement: planned once per connection.
 */
@Injectable()
export class InboxWriter {
  constructor(private readonly dataSource: DataSource) {}

  async record(delivery: InboxDelivery): Promise<InboxRecordResult> {
    const rows = await queryPreparedOnPool<{ id: string; inserted: boolean }>(
      this.dataSource,
      INSERT_INBOX_ROW,
      [
        inboxDedupKey(delivery.rawBody, delivery.traceId),
        delivery.type.slice(0, MAX.type),
        fit(delivery.terraUserId, MAX.terraUserId),
        fit(delivery.referenceId, MAX.referenceId),
        fit(delivery.terraReference, MAX.terraReference),
        delivery.orderingTimestampMs ?? null,
        inboxEventAt(delivery).toISOString(),
        delivery.rawBody,
        fit(delivery.requestId, MAX.requestId),
      ],
    );
    return { id: String(rows[0].id), inserted: rows[0].inserted };
  }
}
