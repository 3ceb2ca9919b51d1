import { Injectable, Logger } from '@nestjs/common';
import { queryPrepared } from '@terra-connections/persistence';
import { DATA_RECEIPT_MAX_KEYS, isEndedStatus, newestDataTime, noteBackfillData } from '@terra-connections/connections';
import { type HealthDataRecord, healthDataRecord } from '../health-data-key';
import { HEALTH_DATA_UPSERT, HEALTH_DATA_UPSERT_ON_ARRIVAL } from '../health-data.sql';
import type { EventContextOf, InboxEvent, WebhookEventHandler } from '../webhook-event-handler';

type DataKind = 'data' | 'athlete';

/** Items per upsert statement: a backfill chunk's few hundred in one, and a statement's parameters stay bounded. */
const UPSERT_BATCH_ITEMS = 1_000;

/** HEALTH_DATA_UPSERT's parameters for one batch of an event's records. */
function upsertParams(terraUserId: string, type: string, inbox: InboxEvent, rows: readonly HealthDataRecord[]): unknown[] {
  const texts = rows.map((record) => JSON.stringify(record.item));
  return [
    terraUserId,
    type,
    rows.map((record) => record.dataKey),
    rows.map((record) => record.summaryId),
    rows.map((record) => record.date),
    rows.map((record) => record.startTime),
    rows.map((record) => record.endTime),
    texts,
    inbox.eventAt,
    inbox.id,
    texts.map((text) => Buffer.byteLength(text)),
  ];
}

/**
 * Data events -> health_data, keyed by the sending Terra id's connection and Terra's documented key (the same
 * day sent under an old and a new id of one connection is one record). Stored even when the Terra id is
 * unknown (the data raced ahead of its auth, or follows a reauth we missed): it waits under the connection id
 * that id's auth will give it, and a user_reauth moves it into its chain's connection. Data of an id a reauth
 * replaced goes on into the connection while the connection lives (a late or retried delivery from before the
 * reauth). Nothing is stored once the connection has ended (disconnected by a DELETE or a deauth, revoked): its
 * data was deleted then, and a late or retried data event must not bring it back.
 */
@Injectable()
export class HealthDataHandler implements WebhookEventHandler<DataKind> {
  readonly kinds = ['data', 'athlete'] as const;
  readonly setsLastWebhookAt = true;
  private readonly logger = new Logger(HealthDataHandler.name);

  async handle({ inbox, event, tx, state }: EventContextOf<DataKind>): Promise<void> {
    const items = event.kind === 'athlete' ? [event.athlete] : event.data;

    const skipped: number[] = [];
    // One record per key: a later copy in the same event wins, as it did when each was written in turn.
    const records = new Map<string, HealthDataRecord>();
    for (const [index, item] of items.entries()) {
      const record = healthDataRecord(event.type, item);
      if (!record) {
        skipped.push(index);
        continue;
      }
      records.delete(record.dataKey);
      records.set(record.dataKey, record);
    }
    const batch = [...records.values()];

    // One write of the connection row per data event: last_sync_at and last_data_at (unless ended),
    // last_webhook_at, and the type's freshness (when it arrived, the newest provider time in it; a stale
    // connection is fresh again), with the first batch of rows in the same statement. It takes the connection's
    // row lock before writing rows (the same order as status changes), so an access_revoked being applied at the
    // same moment either sees these rows to delete or is seen here as ended. The API's DELETE takes the same
    // Terra-user lock as the applier, so it cannot interleave either.
    const arrival = { type: event.type, dataTime: newestDataTime(batch) };
    const batches: HealthDataRecord[][] = [];
    for (let start = 0; start < batch.length; start += UPSERT_BATCH_ITEMS) batches.push(batch.slice(start, start + UPSERT_BATCH_ITEMS));
    const touched =
      batches.length > 0
        ? await state.touchOnDataArrivalWith(event.user.userId, inbox.receivedAt, arrival, {
            statement: HEALTH_DATA_UPSERT_ON_ARRIVAL,
            params: upsertParams(event.user.userId, event.type, inbox, batches[0]),
          })
        : { status: await state.touchOnDataArrival(event.user.userId, inbox.receivedAt, arrival), written: false };
    if (isEndedStatus(touched.status)) {
      this.logger.log(`Skipped ${event.type} event ${inbox.id}: the connection has ended (${touched.status})`);
      return;
    }
    for (const rows of batches.slice(touched.written ? 1 : 0)) {
      await queryPrepared(tx, HEALTH_DATA_UPSERT, upsertParams(event.user.userId, event.type, inbox, rows));
    }
    const dates = new Set<string>();
    const summaryIds: string[] = [];
    for (const record of batch) {
      if (record.date && dates.size < DATA_RECEIPT_MAX_KEYS) dates.add(record.date);
      if (record.summaryId && summaryIds.length < DATA_RECEIPT_MAX_KEYS) summaryIds.push(record.summaryId);
    }
    // Its `data.received` event: keys and counts only, appended by the applier with the rest of the transaction.
    state.noteDataReceived({
      terraUserId: event.user.userId,
      provider: event.user.provider,
      referenceId: event.user.referenceId,
      dataType: event.type,
      dates: [...dates].sort(),
      summaryIds,
      count: batch.length,
      skipped: skipped.length,
      at: inbox.eventAt,
    });
    // A chunk of a backfill (its terra-reference): its request's progress commits with the rows.
    if (inbox.terraReference) {
      await noteBackfillData(tx, inbox.terraReference, batch.length, batch.flatMap((record) => (record.date ? [record.date] : [])));
    }
    if (skipped.length > 0) {
      // Indexes only: the items themselves are health data.
      const shown = skipped.slice(0, 20).join(', ') + (skipped.length > 20 ? ', ...' : '');
      this.logger.warn(
        `${event.type} event ${inbox.id}: ${skipped.length} item(s) without a Terra key or with an invalid date skipped (index ${shown})`,
      );
    }
  }
}
