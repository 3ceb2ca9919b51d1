import { Logger } from '@nestjs/common';
import { settledEventHorizon } from '@terra-connections/connections';
import { addDeliverEventJobs } from '@terra-connections/queue';
import { sqlRows } from '@terra-connections/persistence';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';

/** Next to the pruners' ids: one dispatcher at a time across every worker. */
export const EVENT_DISPATCH_LOCK_ID = 7_104_311_005;
/** How long a pass waits for event writers in flight before it leaves the rest to the next pass. */
const DISPATCH_WRITER_WAIT_MS = 200;
/** Events read per pass; the next pass carries on. */
export const EVENT_DISPATCH_BATCH = 500;

export interface DispatchResult {
  /** Events the position moved past. */
  events: number;
  /** Delivery rows created. */
  deliveries: number;
  /** Jobs added for rows not yet enqueued (new ones, and any a crash left behind). */
  enqueued: number;
}

/**
 * Turns committed events into delivery jobs, crash-safe in two steps:
 *
 * 1. In one transaction under an advisory lock: read the events after the dispatch position, in feed order
 *    and only up to the settled horizon (so an event committed late is never passed: see
 *    settledEventHorizon), insert one delivery row per subscribed enabled endpoint, move the position. A crash
 *    anywhere rolls the whole step back; the next pass does it again.
 * 2. Add a job for every delivery row not yet enqueued (job id `dlv-<row id>`, `-r<n>` for a replay), then mark them enqueued. A
 *    crash between the add and the mark re-adds the same ids next pass: BullMQ ignores an id it holds, and a
 *    job that runs twice finds its row delivered and ends.
 *
 * Nothing is lost (a committed event stays behind the position until step 1 commits) and Redis holds ids only.
 */
export class EventDispatcher {
  private readonly logger = new Logger(EventDispatcher.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
  ) {}

  async dispatch(): Promise<DispatchResult> {
    const created = await this.createDeliveries();
    const enqueued = await this.enqueuePending();
    return { ...created, enqueued };
  }

  private createDeliveries(): Promise<{ events: number; deliveries: number }> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = sqlRows<{ locked: boolean }>(await tx.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [EVENT_DISPATCH_LOCK_ID]));
      if (!locked) return { events: 0, deliveries: 0 };
      const horizon = await settledEventHorizon(tx, { waitMs: DISPATCH_WRITER_WAIT_MS });
      if (horizon === null) return { events: 0, deliveries: 0 };
      const events = sqlRows<{ id: string }>(
        await tx.query(
          `SELECT e.id::text AS id FROM events e, event_dispatch_position p
           WHERE e.id > p.row_id AND e.id <= $2::bigint ORDER BY e.id LIMIT $1`,
          [EVENT_DISPATCH_BATCH, horizon],
        ),
      );
      if (events.length === 0) return { events: 0, deliveries: 0 };
      const ids = events.map((event) => event.id);
      const inserted = sqlRows<{ id: string }>(
        await tx.query(
          `INSERT INTO event_deliveries (endpoint_id, event_row_id)
           SELECT w.id, e.id FROM events e JOIN webhook_endpoints w ON w.enabled AND (w.event_types IS NULL OR e.type = ANY(w.event_types))
           WHERE e.id = ANY($1::bigint[])
           ORDER BY e.id, w.id
           ON CONFLICT (endpoint_id, event_row_id) DO NOTHING RETURNING id`,
          [ids],
        ),
      );
      const last = events[events.length - 1];
      await tx.query(`UPDATE event_dispatch_position SET row_id = $1::bigint WHERE id = 1`, [last.id]);
      return { events: events.length, deliveries: inserted.length };
    });
  }

  private async enqueuePending(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = sqlRows<{ id: string; replays: number }>(
        await this.dataSource.query(`SELECT id::text AS id, replays FROM event_deliveries WHERE NOT enqueued ORDER BY id LIMIT $1`, [
          EVENT_DISPATCH_BATCH,
        ]),
      );
      if (rows.length === 0) return total;
      const ids = rows.map((row) => row.id);
      await addDeliverEventJobs(this.queue, rows);
      // Only the round just added: a replay that came meanwhile keeps its row unenqueued for the next pass.
      await this.dataSource.query(
        `UPDATE event_deliveries d SET enqueued = true FROM unnest($1::bigint[], $2::int[]) AS r(id, replays)
         WHERE d.id = r.id AND d.replays = r.replays`,
        [ids, rows.map((row) => row.replays)],
      );
      total += ids.length;
      if (rows.length < EVENT_DISPATCH_BATCH) return total;
    }
  }

  /** Logs a failed pass and carries on: the next pass redoes it. */
  async dispatchSafely(): Promise<DispatchResult | null> {
    try {
      return await this.dispatch();
    } catch (error) {
      this.logger.warn(`Event dispatch pass failed (the next one retries): ${(error as Error).message}`);
      return null;
    }
  }
}
