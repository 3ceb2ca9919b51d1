import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { inTerraUserTx, sqlRows } from '@terra-connections/persistence';
import type { TerraIntegration } from '@terra-connections/terra';
import { DataSource, type EntityManager } from 'typeorm';
import { MOBILE_SDK_PROVIDERS } from '../freshness/freshness';
import { ProvidersService } from '../providers.service';
import { monthsOf, MOBILE_SDK_MESSAGE, todayUtc } from './backfill.model';
import { insertRequests, isMobileSdkProvider, offeredTypes, onConnectRange } from './backfill-planner';
import { finishWithoutRequests, settleBackfill } from './backfill-settle';
import { onConnectDays } from './backfill-trigger';
import { completeRequest } from './backfill-tracking';

export type BackfillSchedulerConfig = Pick<
  AppConfig,
  | 'BACKFILL_ON_CONNECT_DAYS'
  | 'BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER'
  | 'BACKFILL_ON_CONNECT_DELAY_SECONDS'
  | 'BACKFILL_MAX_DAYS_PER_REQUEST'
  | 'BACKFILL_REQUESTS_PER_TICK'
  | 'BACKFILL_STALL_SECONDS'
  | 'BACKFILL_MAX_REREQUESTS'
>;

/** A sent request the scheduler leases while its job is queued: not picked again unless the job is lost. */
const LEASE_SECONDS = 60;
const PLAN_BATCH = 100;
const STALL_BATCH = 200;

/** Unplanned on-connect backfills with the connection as it is now (a reauth may have joined the id's into another). */
const UNPLANNED_SELECT = `SELECT b.id, COALESCE(k.connection_id, b.connection_id) AS connection_id, b.terra_user_id, b.provider, b.created_at,
         cur.terra_user_id AS current_terra_user_id, cur.provider AS current_provider
  FROM backfills b
  LEFT JOIN terra_connections k ON k.terra_user_id = b.terra_user_id
  LEFT JOIN LATERAL (SELECT c.terra_user_id, c.provider FROM terra_connections c
                     WHERE c.connection_id = COALESCE(k.connection_id, b.connection_id) AND c.is_current LIMIT 1) cur ON true
  WHERE b.start_date IS NULL AND b.status = 'scheduled'`;

export interface TickResult {
  planned: number;
  stalled: number;
  /** Requests whose job the caller enqueues now, with the number of calls made so far (the job's claim). */
  due: { requestId: string; sends: number }[];
}

interface UnplannedRow {
  id: string;
  connection_id: string;
  terra_user_id: string;
  provider: string | null;
  created_at: Date;
  current_terra_user_id: string | null;
  current_provider: string | null;
}

interface OutstandingRow {
  id: string;
  backfill_id: string;
  connection_id: string;
  terra_user_id: string;
  data_type: string;
  send_start: string;
  send_end: string;
  rerequests: number;
}

/**
 * The backfill scheduler's one periodic step (a repeatable job; every worker may run it, each step is safe to
 * repeat): plan the on-connect backfills the state module left, call stalled the requests whose data went
 * quiet (and narrow them to the missing part for a re-request), and pick the requests that are due, at most one
 * per Terra user per tick and the longest-waiting users first, so one big backfill does not starve the others.
 */
@Injectable()
export class BackfillScheduler {
  private readonly logger = new Logger(BackfillScheduler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ProvidersService,
    @Inject(APP_CONFIG) private readonly config: BackfillSchedulerConfig,
  ) {}

  async tick(): Promise<TickResult> {
    const planned = await this.planOnConnect();
    const stalled = await this.detectStalls();
    return { planned, stalled, due: await this.claimDue() };
  }

  private async planOnConnect(): Promise<number> {
    const rows: UnplannedRow[] = await this.dataSource.query(
      `${UNPLANNED_SELECT} AND b.created_at <= now() - make_interval(secs => $2) ORDER BY b.created_at LIMIT $1`,
      [PLAN_BATCH, this.config.BACKFILL_ON_CONNECT_DELAY_SECONDS],
    );
    if (rows.length === 0) return 0;
    let catalogue: TerraIntegration[] | undefined;
    for (const row of rows) {
      // The connection as it is now: a reauth may have joined the id's first connection into an older one.
      const terraUserId = row.current_terra_user_id ?? row.terra_user_id;
      const provider = (row.current_provider ?? row.provider)?.toUpperCase() ?? null;
      const days = onConnectDays(this.config, provider);
      if (days > 0 && !catalogue) {
        try {
          catalogue = (await this.providers.catalogue()).providers;
        } catch (error) {
          this.logger.warn(`On-connect backfills wait for the provider catalogue: ${(error as Error).message}`);
          continue;
        }
      }
      const entry = catalogue?.find((p) => p.provider === provider);
      await inTerraUserTx(this.dataSource, terraUserId, async (tx) => {
        // Read again under the lock: planned meanwhile, or its connection joined into another (a reauth) since the
        // batch was read, so the lock taken may no longer be its current id's. Either way the next tick sees it as it is.
        const [current] = sqlRows<UnplannedRow>(await tx.query(`${UNPLANNED_SELECT} AND b.id = $1`, [row.id]));
        if (!current || current.connection_id !== row.connection_id || (current.current_terra_user_id ?? current.terra_user_id) !== terraUserId) return;
        if (days === 0) {
          // Off for this provider: the row was only ever a trigger.
          await tx.query(`DELETE FROM backfills WHERE id = $1`, [row.id]);
          return;
        }
        if (isMobileSdkProvider(provider, entry, MOBILE_SDK_PROVIDERS)) {
          await finishWithoutRequests(tx, row.id, 'unsupported', MOBILE_SDK_MESSAGE);
          return;
        }
        const types = offeredTypes(entry);
        const range = await onConnectRange(tx, row.connection_id, row.created_at, days, todayUtc());
        await tx.query(
          `UPDATE backfills SET connection_id = $8, terra_user_id = $2, provider = $3, start_date = $4, end_date = $5, types = $6, message = $7, updated_at = now()
           WHERE id = $1`,
          [row.id, terraUserId, provider, range.start, range.end, types, range.gapFrom ? `gap since the last stored data (${range.gapFrom})` : null, row.connection_id],
        );
        if (types.length === 0) {
          await finishWithoutRequests(tx, row.id, 'completed', `${provider ?? 'the provider'} offers no data type to backfill`);
          return;
        }
        await insertRequests(tx, { id: row.id, terraUserId }, types, range, this.config.BACKFILL_MAX_DAYS_PER_REQUEST);
      });
    }
    return rows.length;
  }

  private async detectStalls(): Promise<number> {
    const rows: OutstandingRow[] = await this.dataSource.query(
      `SELECT r.id::text, r.backfill_id, b.connection_id, r.terra_user_id, r.data_type, r.send_start::text, r.send_end::text, r.rerequests
       FROM backfill_requests r JOIN backfills b ON b.id = r.backfill_id
       WHERE r.reference IS NOT NULL AND r.last_activity_at < now() - make_interval(secs => $1) ORDER BY r.last_activity_at LIMIT $2`,
      [this.config.BACKFILL_STALL_SECONDS, STALL_BATCH],
    );
    for (const row of rows) await inTerraUserTx(this.dataSource, row.terra_user_id, (tx) => this.stall(tx, row));
    return rows.length;
  }

  /**
   * Terra went quiet on an outstanding call. Terra chunks by calendar month (terra-contract.md §11), so the
   * months of the range no chunk arrived for are what is missing: asked again (a bounded number of times), or,
   * when nothing is missing, the request is complete after all.
   */
  private async stall(tx: EntityManager, row: OutstandingRow): Promise<void> {
    const still: { n: number }[] = await tx.query(
      `SELECT 1 AS n FROM backfill_requests WHERE id = $1 AND reference IS NOT NULL AND last_activity_at < now() - make_interval(secs => $2) FOR UPDATE`,
      [row.id, this.config.BACKFILL_STALL_SECONDS],
    );
    if (still.length === 0) return;
    const missing = await this.missingMonths(tx, row);
    if (missing.length === 0) {
      await completeRequest(tx, row.id);
    } else if (row.rerequests < this.config.BACKFILL_MAX_REREQUESTS) {
      const from = missing[0].start;
      const to = missing[missing.length - 1].end;
      await tx.query(
        `UPDATE backfill_requests SET status = 'stalled', reference = NULL, send_start = $2, send_end = $3, rerequests = rerequests + 1,
           next_at = now(), reason = $4, updated_at = now() WHERE id = $1`,
        [row.id, from, to, `no data for ${from}..${to} after ${this.config.BACKFILL_STALL_SECONDS} s of silence; asking again`],
      );
    } else {
      await tx.query(
        `UPDATE backfill_requests SET status = 'stalled', reference = NULL, next_at = NULL, reason = $2, updated_at = now() WHERE id = $1`,
        [row.id, `no data for ${missing[0].start}..${missing[missing.length - 1].end} after ${row.rerequests} re-requests`],
      );
    }
    await settleBackfill(tx, row.backfill_id);
  }

  /** The months of the range no call of this request has delivered a chunk for (athlete: whether it is stored). */
  private async missingMonths(tx: EntityManager, row: OutstandingRow): Promise<{ start: string; end: string }[]> {
    if (row.data_type === 'athlete') {
      const rows: { n: number }[] = await tx.query(`SELECT 1 AS n FROM health_data WHERE connection_id = $1 AND type = 'athlete' LIMIT 1`, [row.connection_id]);
      return rows.length > 0 ? [] : [{ start: row.send_start, end: row.send_end }];
    }
    const received: { month: string }[] = await tx.query(
      `SELECT DISTINCT unnest(months_received) AS month FROM backfill_calls WHERE request_id = $1`,
      [row.id],
    );
    const have = new Set(received.map((r) => r.month));
    return monthsOf(row.send_start, row.send_end).filter((month) => !have.has(month.start.slice(0, 7)));
  }

  /**
   * Due requests, one per Terra user, longest-waiting first; leased so the next tick does not pick them again.
   * The conditions on `r` are checked again against a row another tick updated meanwhile (READ COMMITTED), so two
   * ticks at once never claim the same row.
   */
  private async claimDue(): Promise<{ requestId: string; sends: number }[]> {
    const rows = sqlRows<{ id: string; requests_made: number }>(await this.dataSource.query(
      `WITH due AS (
         SELECT DISTINCT ON (terra_user_id) id, next_at FROM backfill_requests
         WHERE reference IS NULL AND status IN ('scheduled', 'waiting', 'stalled') AND next_at <= now()
         ORDER BY terra_user_id, next_at, id),
       picked AS (SELECT id FROM due ORDER BY next_at, id LIMIT $1)
       UPDATE backfill_requests r SET next_at = now() + make_interval(secs => $2) FROM picked
       WHERE r.id = picked.id AND r.next_at <= now() AND r.reference IS NULL
       RETURNING r.id::text, r.requests_made`,
      [this.config.BACKFILL_REQUESTS_PER_TICK, LEASE_SECONDS],
    ));
    return rows.map((row) => ({ requestId: row.id, sends: row.requests_made }));
  }
}
