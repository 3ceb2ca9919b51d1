import { Injectable, Logger } from '@nestjs/common';
import { preparedStatement, queryPrepared } from '@terra-connections/persistence';
import { isJsonObject, TERRA_DATA_EVENT_TYPES, TerraEventType } from '@terra-connections/terra';
import { ENDED_STATUSES } from '@terra-connections/connections';
import { healthDataRecord } from '../health-data-key';
import { PermanentEventError } from '../permanent-event.error';
import { asObject, requireUser } from '../terra-payload';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/** Score objects whose null fields never overwrite stored ones (terra-contract.md §5.1: not superset data). */
const SCORE_FIELDS = ['data_enrichment', 'scores'] as const;

/** SQL: the incoming payload, with `field` merged over the stored one minus its null members. */
function keepStoredScores(incoming: string, field: string): string {
  const fresh = `CASE WHEN jsonb_typeof(EXCLUDED.payload->'${field}') = 'object' THEN EXCLUDED.payload->'${field}' ELSE '{}'::jsonb END`;
  return `CASE WHEN jsonb_typeof(h.payload->'${field}') = 'object'
    THEN jsonb_set(${incoming}, '{${field}}', (h.payload->'${field}') || COALESCE(
      (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${fresh}) e WHERE e.value <> 'null'::jsonb), '{}'::jsonb))
    ELSE ${incoming} END`;
}

const MERGED_PAYLOAD = SCORE_FIELDS.reduce((expr, field) => keepStoredScores(expr, field), 'EXCLUDED.payload');

/**
 * A later copy replaces an earlier one (daily data is a running superset), except that null scores keep
 * the stored values and an older event (by ordering time) never overwrites a newer copy.
 */
const UPSERT = preparedStatement(
  'tc_health_data_upsert',
  `
  INSERT INTO health_data AS h
    (terra_user_id, type, data_key, summary_id, date, start_time, end_time, payload, event_at, webhook_event_id)
  VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz, $7::timestamptz, $8::jsonb, $9, $10)
  ON CONFLICT (terra_user_id, type, data_key) DO UPDATE SET
    summary_id = EXCLUDED.summary_id,
    date = EXCLUDED.date,
    start_time = EXCLUDED.start_time,
    end_time = EXCLUDED.end_time,
    payload = ${MERGED_PAYLOAD},
    event_at = EXCLUDED.event_at,
    webhook_event_id = EXCLUDED.webhook_event_id,
    updated_at = now()
  WHERE h.event_at <= EXCLUDED.event_at`,
);

/** last_sync_at (unless the connection has ended) and last_webhook_at, in one write; the status comes back. */
const TOUCH_CONNECTION = preparedStatement(
  'tc_health_data_touch_connection',
  `UPDATE terra_connections
     SET last_sync_at = CASE WHEN status = ANY($3::text[]) THEN last_sync_at
                             ELSE GREATEST(COALESCE(last_sync_at, $2::timestamptz), $2::timestamptz) END,
         last_webhook_at = GREATEST(COALESCE(last_webhook_at, $2::timestamptz), $2::timestamptz)
   WHERE terra_user_id = $1 RETURNING status`,
);

/**
 * Data events -> health_data, keyed by terra_user_id and Terra's documented key. Stored even when the
 * connection is unknown (the data raced ahead of its auth, or follows a reauth we missed): reads join by
 * terra_user_id, so it is attached once the auth lands. Nothing is stored once the connection has ended
 * (disconnected by a DELETE or a deauth, revoked, replaced): its data was deleted then, and a late or retried
 * data event must not bring it back.
 */
@Injectable()
export class HealthDataHandler implements WebhookEventHandler {
  readonly types = TERRA_DATA_EVENT_TYPES;
  readonly setsLastWebhookAt = true;
  private readonly logger = new Logger(HealthDataHandler.name);

  async handle({ event, tx }: EventContext): Promise<void> {
    const payload = asObject(event.payload);
    const user = requireUser(payload);
    const items = this.items(event.type, payload);

    // One write of the connection row per data event: last_sync_at (unless ended) and last_webhook_at.
    // Takes the connection's row lock first (the same order as status changes), so an access_revoked being
    // applied at the same moment either sees these rows to delete or is seen here as ended. The API's
    // DELETE takes the same Terra-user lock as the applier, so it cannot interleave either.
    const connection = await queryPrepared<{ status: string }>(tx, TOUCH_CONNECTION, [user.userId, event.receivedAt, ENDED_STATUSES]);
    const status = connection[0]?.status;
    if (status && (ENDED_STATUSES as readonly string[]).includes(status)) {
      this.logger.log(`Skipped ${event.type} event ${event.id}: the connection has ended (${status})`);
      return;
    }

    const skipped: number[] = [];
    for (const [index, item] of items.entries()) {
      const record = healthDataRecord(event.type, item);
      if (!record) {
        skipped.push(index);
        continue;
      }
      await queryPrepared(tx, UPSERT, [
        user.userId,
        event.type,
        record.dataKey,
        record.summaryId,
        record.date,
        record.startTime,
        record.endTime,
        JSON.stringify(record.item),
        event.eventAt,
        event.id,
      ]);
    }
    if (skipped.length > 0) {
      // Indexes only: the items themselves are health data.
      const shown = skipped.slice(0, 20).join(', ') + (skipped.length > 20 ? ', ...' : '');
      this.logger.warn(
        `${event.type} event ${event.id}: ${skipped.length} item(s) without a Terra key or with an invalid date skipped (index ${shown})`,
      );
    }
  }

  private items(type: string, payload: Record<string, unknown>): unknown[] {
    if (type === TerraEventType.Athlete) {
      if (!isJsonObject(payload.athlete)) throw new PermanentEventError('athlete event without an athlete object');
      return [payload.athlete];
    }
    if (!Array.isArray(payload.data)) throw new PermanentEventError(`${type} event without a data array`);
    return payload.data;
  }
}
