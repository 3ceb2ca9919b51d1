import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { DataSource } from 'typeorm';
import { recordEvents } from '../events/event-outbox';
import { ConnectionStateTx } from '../state/connection-state.tx';
import type { FreshnessSettings } from './freshness';

/** Connections judged per transaction: short transactions, and a batch's events commit with its writes. */
export const FRESHNESS_BATCH_SIZE = 2_000;

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
}

/**
 * The freshness job: walks every connection in listing order, a batch per transaction, each batch one
 * set-based statement of the state module (ConnectionStateTx.evaluateFreshness) with its `connection.stale`
 * and `connection.fresh` events recorded in the same transaction. A run judges every connection at one `now`.
 */
@Injectable()
export class FreshnessEvaluator {
  private readonly logger = new Logger(FreshnessEvaluator.name);
  private readonly settings: FreshnessSettings;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: FreshnessConfig,
  ) {
    this.settings = freshnessSettingsOf(config);
  }

  async evaluate(now = new Date(), batchSize = FRESHNESS_BATCH_SIZE): Promise<FreshnessRunResult> {
    const result: FreshnessRunResult = { scanned: 0, stale: 0, fresh: 0, unknown: 0 };
    let after = '0';
    for (;;) {
      const batch = await this.dataSource.transaction(async (tx) => {
        const state = new ConnectionStateTx(tx, { kind: 'freshness' });
        const outcome = await state.evaluateFreshness(after, batchSize, now, this.settings);
        await recordEvents(tx, state);
        return { ...outcome, moves: state.freshnessChanges };
      });
      result.scanned += batch.scanned;
      for (const move of batch.moves) result[move.to] += 1;
      if (batch.lastSeq === null || batch.scanned < batchSize) break;
      after = batch.lastSeq;
    }
    if (result.stale > 0) this.logger.warn(`Freshness: ${result.stale} connection(s) went stale (${result.scanned} judged)`);
    return result;
  }
}
