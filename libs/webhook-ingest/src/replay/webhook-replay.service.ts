import { Injectable, Logger } from '@nestjs/common';
import { WebhookEventStatus, sqlRows } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { INBOX_RECEIVED_US_SQL, WebhookEnqueuer } from '@terra-connections/queue';
import { WebhookEventAlreadyProcessedError, WebhookEventNotFoundError } from '../webhook-ingest.errors';

const REPLAY_BATCH = 200;

export interface ReplayResult {
  eventId: string;
  /** Always pending: the row waits for its job (or, if Redis did not take the job, for the sweeper). */
  status: WebhookEventStatus;
  /** false: Redis did not take it; the row is pending and the sweeper enqueues it. */
  enqueued: boolean;
}

export interface ReplayTotals {
  /** Failed events set pending again. */
  replayed: number;
  /** Of those, how many the job queue took at once (the sweeper takes the rest). */
  enqueued: number;
}

interface ReplayRow {
  id: string;
  status: WebhookEventStatus;
  type: string;
  /** The API request that stored the row: the replayed job's log lines carry it too. */
  request_id: string | null;
  /** Names the row's job (applyEventJobId). */
  received_us: string;
}

/**
 * Dead-letter replay: a failed (or stuck pending) inbox row is set pending again and re-enqueued under its
 * own jobId, after the finished job holding that id is removed. Processed rows are never replayed: applying
 * an event twice is exactly what the inbox exists to prevent.
 */
@Injectable()
export class WebhookReplayService {
  private readonly logger = new Logger(WebhookReplayService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly enqueuer: WebhookEnqueuer,
  ) {}

  async replayOne(id: string): Promise<ReplayResult> {
    const rows: ReplayRow[] = await this.dataSource.query(
      `SELECT id, status, type, request_id, ${INBOX_RECEIVED_US_SQL}::text AS received_us FROM webhook_events WHERE id = $1`,
      [id],
    );
    if (rows.length === 0) throw new WebhookEventNotFoundError(id);
    if (rows[0].status === WebhookEventStatus.Processed) {
      throw new WebhookEventAlreadyProcessedError(id);
    }
    await this.dataSource.query(`UPDATE webhook_events SET status = $2 WHERE id = $1 AND status = $3`, [
      id,
      WebhookEventStatus.Pending,
      WebhookEventStatus.Failed,
    ]);
    return { eventId: id, status: WebhookEventStatus.Pending, enqueued: await this.requeue(rows[0]) };
  }

  /** Every row failed at the time of the call (rows failing again meanwhile are not picked up twice). */
  async replayFailed(): Promise<ReplayTotals> {
    const max: { max: string | null }[] = await this.dataSource.query(
      `SELECT max(id) AS max FROM webhook_events WHERE status = $1`,
      [WebhookEventStatus.Failed],
    );
    let afterId = '0';
    const totals: ReplayTotals = { replayed: 0, enqueued: 0 };
    if (!max[0]?.max) return totals;
    for (;;) {
      const rows = sqlRows<ReplayRow>(
        await this.dataSource.query(
        `UPDATE webhook_events SET status = $1
         WHERE id IN (SELECT id FROM webhook_events WHERE status = $2 AND id > $3 AND id <= $4 ORDER BY id LIMIT $5)
         RETURNING id, type, request_id, ${INBOX_RECEIVED_US_SQL}::text AS received_us`,
          [WebhookEventStatus.Pending, WebhookEventStatus.Failed, afterId, max[0].max, REPLAY_BATCH],
        ),
      );
      if (rows.length === 0) break;
      const replayed = rows
        .map((row) => ({ ...row, id: String(row.id) }))
        .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
      afterId = replayed[replayed.length - 1].id;
      totals.replayed += replayed.length;
      const enqueued = await Promise.all(replayed.map((row) => this.requeue(row)));
      totals.enqueued += enqueued.filter(Boolean).length;
    }
    this.logger.log(`Replayed ${totals.replayed} failed webhook event(s)`);
    return totals;
  }

  private async requeue({ id, type, request_id, received_us }: Omit<ReplayRow, 'status'>): Promise<boolean> {
    const row = { id: String(id), receivedAtUs: received_us };
    try {
      await this.enqueuer.releaseFinishedJob(row);
    } catch (error) {
      this.logger.warn(`Could not release the old job of webhook event ${id}: ${(error as Error).message}`);
      return false;
    }
    return this.enqueuer.enqueueApply(row, request_id ?? undefined, type);
  }
}
