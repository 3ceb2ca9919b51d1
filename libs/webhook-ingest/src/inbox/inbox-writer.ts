import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { preparedStatement, queryPreparedOnPool } from '@terra-connections/persistence';
import { INBOX_RECEIVED_US_SQL, type InboxJobRef } from '@terra-connections/queue';
import { TerraEventType } from '@terra-connections/terra';
import { DataSource } from 'typeorm';
import { WebhookBodyRejectedError } from '../webhook-ingest.errors';

/** One verified delivery, as the receiver hands it over: the body stays the exact bytes Terra signed. */
export interface InboxDelivery {
  /**
   * The body. A Buffer goes to Postgres as it is (a binary `text` parameter: Postgres checks it is UTF-8), so a
   * 49 MB body is never copied into a JS string; a string (tests) is sent as text, to the same effect.
   */
  rawBody: Buffer | string;
  /** x-terra-trace-id: stable across Terra's retries, so the best dedup key when sent (terra-contract.md §4). */
  traceId?: string;
  terraReference?: string;
  /** x-terra-ordering-timestamp, unix ms. */
  orderingTimestampMs?: number;
  signatureTimestampSeconds: number;
  requestId?: string;
}

export interface InboxRecordResult extends InboxJobRef {
  /** false: the dedup key was already stored (a Terra retry or a replayed delivery); only counted. */
  inserted: boolean;
  /** The stored row's type (for a duplicate, the first delivery's): a metrics label. */
  type: string;
}

export const NOT_AN_EVENT_MESSAGE =
  'Webhook body must be a JSON object with a string "type" (user ids and providers of at most 64 characters, references of at most 255)';

/** Column widths of webhook_events: a signed body must never fail to store because a field is long. */
const MAX = { dedupKey: 200, type: 64, terraUserId: 64, provider: 64, referenceId: 255, terraReference: 255, requestId: 64 } as const;

function fit(value: string | null | undefined, max: number): string | null {
  return value ? value.slice(0, max) : null;
}

/** x-terra-trace-id when present, else SHA-256 of the body; never terra-reference (shared by backfill chunks). */
export function inboxDedupKey(rawBody: Buffer | string, traceId?: string): string {
  if (traceId && traceId.length <= MAX.dedupKey) return traceId;
  // A string is hashed as its UTF-8 bytes: the same key as the Buffer it came from (and as before issue 12).
  const hash = (value: Buffer | string) => createHash('sha256').update(value).digest('hex');
  return traceId ? `trace-sha256:${hash(traceId)}` : hash(rawBody);
}

/** The time the event is ordered by: Terra's ordering timestamp when sent, else the signature's `t`. */
export function inboxEventAt(delivery: Pick<InboxDelivery, 'orderingTimestampMs' | 'signatureTimestampSeconds'>): Date {
  return new Date(delivery.orderingTimestampMs ?? delivery.signatureTimestampSeconds * 1000);
}

/** SQL: member `key` of jsonb `object` when it is a non-empty string, else NULL (describeTerraEvent's stringField). */
const stringMember = (object: string, key: string) =>
  `CASE WHEN jsonb_typeof(${object} -> '${key}') = 'string' THEN NULLIF(${object} ->> '${key}', '') END`;

/**
 * Numbers are stored as `numeric`, which keeps the written exponent's scale: `1e131071` costs 8 bytes in the
 * body and in jsonb, and 131,072 digits each time the payload is printed (the worker's read), so 45 KB of them
 * printed 655 MB and crashed the worker inside pg-protocol. Inside the window below a number prints at most
 * about 22 characters plus the digits written (JS writes its own doubles in exponent form from 1e21 on); outside
 * it, a double prints up to about 330. So every number must be a double (`.double()` raises SQLSTATE 22036 for
 * one beyond its range: `1e309`, `1e-400`), and at most MAX_OUTLYING_NUMBERS may lie outside the window (the
 * lax `[n].keyvalue()` raises 2203C when an element past the limit exists: strict mode refuses `.keyvalue()` on
 * anything but an object, and nothing else in the INSERT raises either code). The outliers are collected in the
 * same walk; in a real body there are none. A 5 KB body costs about 0.1 ms more to store, a 10 MB chunk about
 * 200 ms (docs/webhooks.md).
 */
export const NUMBER_WINDOW = { below: '1e21', atLeast: '1e-21' } as const;
export const MAX_OUTLYING_NUMBERS = 1000;
export const NOT_A_DOUBLE_SQLSTATE = '22036';
export const TOO_MANY_OUTLYING_NUMBERS_SQLSTATE = '2203C';
const OUTLYING_NUMBERS =
  `strict $.** ? (@.type() == "number" && (@ >= ${NUMBER_WINDOW.below} || @ <= -${NUMBER_WINDOW.below} || ` +
  `(@ != 0 && @ < ${NUMBER_WINDOW.atLeast} && @ > -${NUMBER_WINDOW.atLeast})))`;

/**
 * Strings of the envelope the worker stores in a connection's columns (varchar 64 for Terra user ids and
 * providers, 255 for references): longer, the body is refused here rather than stored to fail in the worker.
 */
const STORED_STRINGS: [object: string, key: string, max: number][] = [
  ['subject', 'user_id', MAX.terraUserId],
  ['subject', 'provider', MAX.provider],
  ['subject', 'reference_id', MAX.referenceId],
  [`payload -> 'old_user'`, 'user_id', MAX.terraUserId],
  [`payload -> 'old_user'`, 'provider', MAX.provider],
  [`payload -> 'old_user'`, 'reference_id', MAX.referenceId],
  ['payload', 'provider', MAX.provider],
  ['payload', 'reference_id', MAX.referenceId],
];
const STORED_STRINGS_FIT = STORED_STRINGS.map(([object, key, max]) => `COALESCE(length(${stringMember(object, key)}), 0) <= ${max}`).join(' AND ');

/**
 * The bench floor keeps a copy of this text (pinned by bench/floor/floor-sql.spec.ts).
 *
 * Postgres parses the body once, into the stored jsonb, and reads the envelope from that (what
 * describeTerraEvent reads: a non-empty string `type`; `user.user_id`, for `user_reauth` `new_user.user_id`;
 * `reference_id`, else the user's), so the API never parses a body. A user id, provider or reference longer
 * than a connection's columns is refused here (STORED_STRINGS), not stored to fail in the worker: a JS parse of a 49 MB chunk held about 7x
 * its size (the string, the object graph, the string again for pg) and the API's RSS went past 512 MB. A body
 * that is not an object with such a type selects no row, inserts nothing and returns nothing. OFFSET 0 keeps
 * `body` a subquery evaluated once: pulled up, the cast would be copied into each expression that reads it
 * (in a generic plan, parsed once per reference).
 */
export const INSERT_INBOX_ROW = preparedStatement(
  'tc_inbox_insert',
  `INSERT INTO webhook_events
     (dedup_key, type, terra_user_id, reference_id, terra_reference, ordering_timestamp, event_at, payload, request_id)
   SELECT $1, left(payload ->> 'type', ${MAX.type}), left(${stringMember('subject', 'user_id')}, ${MAX.terraUserId}),
          left(COALESCE(${stringMember('payload', 'reference_id')}, ${stringMember('subject', 'reference_id')}), ${MAX.referenceId}),
          $2, $3, $4, payload, $6
   FROM (SELECT $5::text::jsonb AS payload OFFSET 0) AS body,
        LATERAL (SELECT jsonb_path_query_array(payload, '${OUTLYING_NUMBERS}') AS outliers OFFSET 0) AS numbers,
        LATERAL (SELECT CASE WHEN payload ->> 'type' = '${TerraEventType.UserReauth}' THEN payload -> 'new_user' ELSE payload -> 'user' END AS subject) AS envelope
   WHERE jsonb_typeof(payload) = 'object' AND jsonb_typeof(payload -> 'type') = 'string' AND payload ->> 'type' <> ''
     AND ${STORED_STRINGS_FIT}
     AND NOT jsonb_path_exists(outliers, 'strict $[*].double() ? (@ != @)')
     AND NOT jsonb_path_exists(outliers, 'lax $[${MAX_OUTLYING_NUMBERS}].keyvalue()')
   ON CONFLICT (dedup_key) DO UPDATE SET duplicate_count = webhook_events.duplicate_count + 1
   RETURNING id, (xmax = 0) AS inserted, type, ${INBOX_RECEIVED_US_SQL}::text AS received_us`,
);

/**
 * The receiver's only database work: one statement, no entity hydration. The payload goes in as the body's
 * bytes cast to jsonb, never re-serialised, so a 10 MB backfill chunk costs one parse (in Postgres). A named
 * prepared statement: planned once per connection.
 */
@Injectable()
export class InboxWriter {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Throws WebhookBodyRejectedError for a body that is JSON but no event; pg's error (SQLSTATE in `code`) for a
   * body Postgres cannot parse or store.
   */
  async record(delivery: InboxDelivery): Promise<InboxRecordResult> {
    const rows = await queryPreparedOnPool<{ id: string; inserted: boolean; type: string; received_us: string }>(
      this.dataSource,
      INSERT_INBOX_ROW,
      [
        inboxDedupKey(delivery.rawBody, delivery.traceId),
        fit(delivery.terraReference, MAX.terraReference),
        delivery.orderingTimestampMs ?? null,
        inboxEventAt(delivery).toISOString(),
        delivery.rawBody,
        fit(delivery.requestId, MAX.requestId),
      ],
    );
    if (rows.length === 0) throw new WebhookBodyRejectedError(NOT_AN_EVENT_MESSAGE);
    return { id: String(rows[0].id), receivedAtUs: rows[0].received_us, inserted: rows[0].inserted, type: rows[0].type };
  }
}
