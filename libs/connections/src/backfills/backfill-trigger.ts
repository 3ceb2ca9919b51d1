import type { AppConfig } from '@terra-connections/config';
import { ConnectionStatus } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';
import type { ConnectionChange } from '../state/connection-change';

export type OnConnectBackfillConfig = Pick<AppConfig, 'BACKFILL_ON_CONNECT_DAYS' | 'BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER'>;

/**
 * False when no provider gets history on connect (BACKFILL_ON_CONNECT_DAYS=0 and no positive override): then no
 * trigger row is written at all, rather than one per connect for the scheduler to delete. No config: on (the
 * schema's default).
 */
export function onConnectBackfillsEnabled(config: OnConnectBackfillConfig | undefined): boolean {
  if (!config) return true;
  return [null, ...Object.keys(config.BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER)].some((provider) => onConnectDays(config, provider) > 0);
}

/** Days of history a connection of `provider` gets when it becomes active (its override, else the default); 0 = none. */
export function onConnectDays(config: OnConnectBackfillConfig, provider: string | null): number {
  const byProvider = config.BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER;
  return provider !== null && Object.hasOwn(byProvider, provider) ? byProvider[provider] : config.BACKFILL_ON_CONNECT_DAYS;
}

/**
 * "When a connection becomes active": every change of a Terra id to `active` from anything else (a first auth,
 * a reconnect's new id, a recovery from `error`) leaves one unplanned on-connect backfill row, in the transaction
 * that made the change. No Terra call here: a worker plans it (the range, the gap since the last stored data,
 * the provider's types) and sends its requests. A connection with an unplanned one already gets no second.
 */
export async function scheduleOnConnectBackfills(tx: EntityManager, changes: readonly ConnectionChange[], enabled: boolean): Promise<void> {
  if (!enabled) return;
  for (const change of changes) {
    if (change.to !== ConnectionStatus.Active || change.from === ConnectionStatus.Active) continue;
    // The id's connection as the transaction leaves it: a user_reauth moves the new id into the old connection
    // after the change was recorded.
    await tx.query(
      `INSERT INTO backfills (connection_id, terra_user_id, provider, trigger)
       SELECT c.connection_id, c.terra_user_id, c.provider, 'connect' FROM terra_connections c
       WHERE c.terra_user_id = $1
         AND NOT EXISTS (SELECT 1 FROM backfills b WHERE b.connection_id = c.connection_id AND b.trigger = 'connect'
                          AND b.status = 'scheduled' AND b.start_date IS NULL)`,
      [change.terraUserId],
    );
  }
}
