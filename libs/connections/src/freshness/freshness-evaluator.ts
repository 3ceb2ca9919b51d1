import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { LOCK_HELD, withSessionLock } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { recordEvents } from '../events/event-outbox';
import { ConnectionStateTx } from '../state/connection-state.tx';
import type { FreshnessChange } from '../state/connection-change';
import type { FreshnessSettings } from './freshness';

/** Connections judged per transaction: short transactions, and a batch's events commit with its writes. */
export const FRESHNESS_BATCH_SIZE = 2_000;

/**
 * Session advisory lock of a run (issue 14's number, beside the pruners' and the dispatcher's): one run at a
 * time across every worker. Two runs at once would be correct (each write re-checks what it read) but
 * twice the work, and a run that outlasts its interval would otherwise meet the next one.
 */
export const FRESHNESS_LOCK_ID = 7_104_311_014;

export type FreshnessConfig = Pick<
  AppConfig,
  'FRESHNESS_MIN_WINDOW_MS' | 'FRESHNESS_MAX_WINDOW_MS' | 'FRESHNESS_DEFAULT_WINDOW_MS' | 'FRESHNESS_MOBILE_DEFAULT_WINDOW_MS'
>;

export function freshnessSettingsOf(config: FreshnessConfig): FreshnessSettings {
  return {
    minWindowMs: config.FRESHNESS_MIN_WINDOW_MS,
    maxWindowMs: config.FRESHNESS_MAX_WINDOW_MS,
    defaultWindowMs: config.FRESHNESS_DEFAULT_WINDOW_MS,
    mobileDefaultWindowMs: config.FRESHNESS_MOBILE_DEFAULT_WINDOW_MS,
  };
}

export interface FreshnessRunResult {
  scanned: number;
  stale: number;
  fresh: number;
  unknown: number;
  /** Another run held the lock: this one did nothing. */
  skipped?: true;
  /** The worker began shutting down: stopped between two batches (the next run starts from the beginning). */
  interrupted?: true;
}

/**
 * The freshness job: walks every connection in listing order, a batch per transaction, each batch one
 * set-based statement of the state module (ConnectionStateTx.evaluateFreshness) with its `connection.stale`
 * and `connection.fresh` events recorded in the same transaction. A run judges every connection at one `now`.
 */
@Injectable()
export class FreshnessEvaluator implements BeforeApplicationShutdown {
  private readonly logger = new Logger(FreshnessEvaluator.name);
  private readonly settings: FreshnessSettings;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: FreshnessConfig,
  ) {
    this.settings = freshnessSettingsOf(config);
  }

  async evaluate(now = new Date(), batchSize = FRESHNESS_BATCH_SIZE): Promise<FreshnessRunResult> {
    const result: FreshnessRunResult = { scanned: 0, stale: 0, fresh: 0, unknown: 0 };
    // One connection for the whole run: the session lock and every batch's transaction.
    const outcome = await withSessionLock(this.dataSource, FRESHNESS_LOCK_ID, async (runner): Promise<FreshnessRunResult> => {
      let after = '0';
      for (;;) {
        if (this.stopping) return { ...result, interrupted: true as const };
        await runner.startTransaction();
        let batch: { lastSeq: string | null; scanned: number; moves: readonly FreshnessChange[] };
        try {
          const state = new ConnectionStateTx(runner.manager, { kind: 'freshness' });
          const judged = await state.evaluateFreshness(after, batchSize, now, this.settings);
          await recordEvents(runner.manager, state);
          await runner.commitTransaction();
          batch = { ...judged, moves: state.freshnessChanges };
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
        result.scanned += batch.scanned;
        for (const move of batch.moves) result[move.to] += 1;
        if (batch.lastSeq === null || batch.scanned < batchSize) return result;
        after = batch.lastSeq;
      }
    });
    if (outcome === LOCK_HELD) return { ...result, skipped: true };
    if (result.stale > 0) this.logger.warn(`Freshness: ${result.stale} connection(s) went stale (${result.scanned} judged)`);
    return outcome;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
