import { ConnectionStatus } from '@terra-connections/persistence';
// zod 4 (shipped inside zod 3.25 as `zod/v4`): its toJSONSchema emits JSON Schema 2020-12, the dialect of
// OpenAPI 3.1, so the document's `webhooks` section and the client's types are derived from these schemas.
import { z } from 'zod/v4';
import { DISCONNECTED_BY, type EventType } from './event-types';

const status = z.enum(ConnectionStatus).nullable().meta({ description: 'The status before; null when the connection is new' });
const scopes = z.array(z.string());
const nullableText = z.string().nullable();

/**
 * The fields every event's `data` starts with (event-envelope.ts writes them from the outbox row). An event of a
 * connection has its `connection_id` and `sequence`; a failed connect attempt (no connection) has neither.
 */
const identity = {
  terra_user_id: nullableText.meta({ description: "The connection's current Terra user id when the event was written" }),
  reference_id: nullableText.meta({ description: 'Your id of the person' }),
  provider: nullableText.meta({ description: 'The wearable provider, e.g. OURA' }),
};
export const CONNECTION_EVENT_FIELDS = z.object({
  connection_id: z.string().meta({ format: 'uuid', description: 'Our stable id of the connection' }),
  ...identity,
  sequence: z.int().min(1).meta({ description: 'Per connection 1, 2, 3, ... in commit order: order and drop stale events by it' }),
});
export const UNATTACHED_EVENT_FIELDS = z.object({ connection_id: z.null(), ...identity, sequence: z.null() });

/** The own fields of the three backfill events (libs/connections/src/backfills/backfill-settle.ts). */
function backfillDetails() {
  return z.object({
    backfill_id: z.string().meta({ format: 'uuid', description: 'GET /v1/backfills/{id}' }),
    status: z.enum(['completed', 'stalled', 'failed']),
    trigger: z.enum(['connect', 'api']).meta({ description: 'connect: when the connection became active; api: POST /v1/connections/{id}/backfills' }),
    start_date: z.string().meta({ format: 'date' }).nullable(),
    end_date: z.string().meta({ format: 'date' }).nullable(),
    types: z.array(z.string()),
    problems: z
      .array(z.object({ type: z.string(), status: z.enum(['failed', 'stalled']), reason: z.string().nullable() }))
      .meta({ description: "The types that failed or stalled, with Terra's reason; empty when completed" }),
    message: z.string().optional().meta({ description: 'Why a backfill finished without asking Terra (no data type offered)' }),
  });
}

interface EventDefinition {
  /** When the event is written (the webhook's description in the OpenAPI document). */
  when: string;
  /** false: the event is of no connection (connection_id and sequence are null). */
  attached: boolean;
  /** The type's own fields: what `data` has after the connection fields. */
  details: z.ZodObject;
  /** Own fields of an example (docs/events.md shows the same); a test parses it with `details`. */
  example: Record<string, unknown>;
}

/**
 * The payload of every event type: PUBLIC CONTRACT (docs/events.md). The producers' `details` are typed from
 * here (pending-event.ts), the OpenAPI `webhooks` section and the generated client are built from here, so a
 * new type in EVENT_TYPES needs exactly one entry here (the compiler and openapi-document.spec.ts insist).
 * Fields may be added to a type; never removed or retyped.
 */
export const EVENT_CATALOGUE = {
  'connection.connected': {
    when: 'The connection became active: new, or back from `error` (or a refresh found it active).',
    attached: true,
    details: z.object({ previous_status: status, scopes: scopes.nullable() }),
    example: { previous_status: null, scopes: ['daily', 'sleep'] },
  },
  'connection.reconnected': {
    when: 'A reauth: Terra issued a new Terra user id for the same account; the `connection_id` stays.',
    attached: true,
    details: z.object({
      previous_terra_user_id: nullableText.meta({ description: 'null when Terra did not name it' }),
      previous_status: status,
      scopes: scopes.nullable(),
      merged_connection_id: z
        .string()
        .nullable()
        .meta({ format: 'uuid', description: "The new id's own connection, folded into this one (it now resolves here); usually null" }),
    }),
    example: { previous_terra_user_id: '7a41c0e3-2b7d-4f0e-9d0c-5e1f2a3b4c5d', previous_status: 'active', scopes: ['daily', 'sleep'], merged_connection_id: null },
  },
  'connection.errored': {
    when: 'A connection error (or a refresh found it inactive): the person must reconnect.',
    attached: true,
    details: z.object({ previous_status: status, reason: nullableText }),
    example: { previous_status: 'active', reason: 'User connection degraded' },
  },
  'connection.scopes_changed': {
    when: 'The granted scopes changed (status unchanged).',
    attached: true,
    details: z.object({ scopes: scopes.meta({ description: 'The new set' }), added: scopes, removed: scopes }),
    example: { scopes: ['daily', 'heart'], added: ['heart'], removed: ['sleep'] },
  },
  'connection.revoked': {
    when: 'The person revoked access at the provider; stored data was erased.',
    attached: true,
    details: z.object({ previous_status: status, reason: nullableText }),
    example: { previous_status: 'active', reason: 'access revoked' },
  },
  'connection.disconnected': {
    when: 'The connection ended; `disconnected_by` says who ended it.',
    attached: true,
    details: z.object({ previous_status: status, reason: nullableText, disconnected_by: z.enum(DISCONNECTED_BY) }),
    example: { previous_status: 'active', reason: 'disconnected via API', disconnected_by: 'api' },
  },
  'connection.attempt_failed': {
    when: 'A connect attempt failed or was cancelled; of no connection (`connection_id` and `sequence` are null).',
    attached: false,
    details: z.object({
      reason: nullableText.meta({ description: "Terra's reason" }),
      cancelled: z.boolean(),
      attempt_id: nullableText.meta({ description: 'Our attempt, when one matched' }),
    }),
    example: { reason: 'user_denied', cancelled: false, attempt_id: '42' },
  },
  'connection.stale': {
    when:
      "The connection's data stopped: every data type it regularly sends has been silent past its learned window. Once per silence; `connection.fresh` follows when data comes again.",
    attached: true,
    details: z.object({
      previous_freshness: z.enum(['fresh', 'unknown']).meta({ description: 'The freshness before' }),
      last_data_at: z.string().meta({ format: 'date-time' }).nullable().meta({ description: 'When data of any type last arrived' }),
      overdue_types: z
        .array(
          z.object({
            type: z.string().meta({ description: 'The data type, e.g. sleep' }),
            last_received_at: z.string().meta({ format: 'date-time' }),
            window_ms: z.int().min(0).meta({ description: 'How long it may be silent: learned from its own gaps, else the default' }),
          }),
        )
        .meta({ description: 'The expected types, each silent past its window' }),
    }),
    example: {
      previous_freshness: 'fresh',
      last_data_at: '2026-11-02T07:12:40.000Z',
      overdue_types: [{ type: 'sleep', last_received_at: '2026-11-02T07:12:40.000Z', window_ms: 129600000 }],
    },
  },
  'connection.fresh': {
    when: 'A stale connection got data again (written with the data, at once).',
    attached: true,
    details: z.object({
      stale_since: z.string().meta({ format: 'date-time' }).nullable().meta({ description: 'When it had gone stale' }),
      last_data_at: z.string().meta({ format: 'date-time' }).nullable(),
      data_type: nullableText.meta({ description: 'The data type whose arrival ended the silence; null when a changed window did' }),
    }),
    example: { stale_since: '2026-11-03T19:15:00.000Z', last_data_at: '2026-11-05T08:01:12.000Z', data_type: 'sleep' },
  },
  'data.received': {
    when:
      'A data event was stored. Keys and counts only (read values with GET /v1/connections/{id}/data); deliveries to an endpoint with include_data also carry the stored records the event names.',
    attached: true,
    details: z.object({
      data_type: z.string().meta({ description: 'activity, daily, sleep, body, nutrition, menstruation, athlete' }),
      count: z.int().min(0).meta({ description: 'Records written' }),
      skipped: z.int().min(0).meta({ description: 'Items without a key or with an invalid date' }),
      dates: z.array(z.string().meta({ format: 'date' })).meta({ description: 'YYYY-MM-DD, distinct, at most 100' }),
      summary_ids: z.array(z.string()).meta({ description: 'At most 100' }),
      records: z
        .array(
          z.object({
            data_key: z.string(),
            date: z.string().meta({ format: 'date' }).nullable(),
            summary_id: z.string().nullable(),
            payload: z.unknown().meta({ description: "The stored record: Terra's item as received" }),
          }),
        )
        .optional()
        .meta({ description: 'Only in deliveries to an endpoint with include_data (never in the feed): the records the event names, as stored when the delivery was sent' }),
      records_truncated: z
        .boolean()
        .optional()
        .meta({ description: 'With records: true when some named records were left out (over 1 MB of values, or more written than the 100 keys named)' }),
    }),
    example: { data_type: 'daily', count: 2, skipped: 0, dates: ['2026-11-03', '2026-11-04'], summary_ids: [] },
  },
  'backfill.completed': {
    when: 'Every request of a backfill is done: its data applied, or Terra said there was none (GET /v1/backfills/{id}).',
    attached: true,
    details: backfillDetails(),
    example: {
      backfill_id: '0b7c2f1e-5d44-4b8e-9a4f-3c2d1e0f9a8b',
      status: 'completed',
      trigger: 'connect',
      start_date: '2026-11-04',
      end_date: '2026-12-03',
      types: ['activity', 'sleep', 'body', 'daily'],
      problems: [],
    },
  },
  'backfill.stalled': {
    when: "A backfill request's data stopped arriving for BACKFILL_STALL_SECONDS (a lost chunk); sent each time the backfill enters stalled. A re-request of the missing months follows while BACKFILL_MAX_REREQUESTS allows.",
    attached: true,
    details: backfillDetails(),
    example: {
      backfill_id: '0b7c2f1e-5d44-4b8e-9a4f-3c2d1e0f9a8b',
      status: 'stalled',
      trigger: 'api',
      start_date: '2026-09-05',
      end_date: '2026-12-03',
      types: ['daily'],
      problems: [{ type: 'daily', status: 'stalled', reason: 'no data for 2026-10-01..2026-10-31 after 900 s of silence; asking again' }],
    },
  },
  'backfill.failed': {
    when: 'Every request of a backfill is done and at least one failed for good (Terra refused it, kept failing, or the connection ended).',
    attached: true,
    details: backfillDetails(),
    example: {
      backfill_id: '0b7c2f1e-5d44-4b8e-9a4f-3c2d1e0f9a8b',
      status: 'failed',
      trigger: 'api',
      start_date: '2026-11-24',
      end_date: '2026-12-03',
      types: ['daily', 'sleep'],
      problems: [{ type: 'sleep', status: 'failed', reason: 'Terra: Oura answered 500 for sleep' }],
    },
  },
} as const satisfies { [T in EventType]: EventDefinition };

type Catalogue = typeof EVENT_CATALOGUE;

/** The own fields of an event of type T, as the producers write them. */
export type EventDetails<T extends EventType> = z.infer<Catalogue[T]['details']>;

/** The schema of `data` of an event of type T: the connection fields, then the type's own. */
export function eventDataSchema(type: EventType): z.ZodObject {
  const definition: EventDefinition = EVENT_CATALOGUE[type];
  if (!definition) throw new Error(`${type} has no entry in EVENT_CATALOGUE (event-payloads.ts)`);
  const fields = definition.attached ? CONNECTION_EVENT_FIELDS : UNATTACHED_EVENT_FIELDS;
  return fields.extend(definition.details.shape);
}

/** The Standard Webhooks body of an event of type T: `{id, type, timestamp, data}` (event-envelope.ts). */
export function eventEnvelopeSchema(type: EventType): z.ZodObject {
  return z.object({
    id: z.string().meta({ description: 'Stable: the `webhook-id` of every delivery of it. Deduplicate on it.' }),
    type: z.literal(type),
    timestamp: z.string().meta({ format: 'date-time', description: "When it happened: Terra's ordering time for a webhook, our clock otherwise" }),
    data: eventDataSchema(type),
  });
}
