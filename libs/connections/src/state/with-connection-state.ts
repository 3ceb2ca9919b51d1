import { lockTerraUser, sqlState } from '@terra-connections/persistence';
import { ConnectionBusyError } from '../connections.errors';
import type { DataSource } from 'typeorm';
import type { ConnectionChange, ConnectionChangeCause } from './connection-change';
import { recordEvents } from '../events/event-outbox';
import { scheduleOnConnectBackfills } from '../backfills/backfill-trigger';
import { ConnectionStateTx } from './connection-state.tx';

/**
 * One transaction that changes one Terra user's connection outside the applier (our DELETE, a refresh, a
 * reconciliation repair): the Terra user's lock first, as the applier takes it, then the writes and their
 * outbound events (the outbox). Returns the changes it committed.
 */
export interface ConnectionStateOptions {
  /**
   * How long to wait for the Terra user's lock before giving up with ConnectionBusyError. For callers that hold
   * an HTTP request and a pooled connection while they wait: a data event of a large chunk can hold the lock for
   * seconds, and a dozen requests queued behind it would take every connection of the API's pool (webhook intake
   * included). Unset: wait as long as it takes (the worker's own repairs).
   */
  lockTimeoutMs?: number;
  /** False: on-connect backfills are off everywhere (onConnectBackfillsEnabled), so no trigger row. */
  onConnectBackfills: boolean;
}

export async function withConnectionState(
  dataSource: DataSource,
  terraUserId: string,
  cause: ConnectionChangeCause,
  work: (state: ConnectionStateTx) => Promise<unknown>,
  options: ConnectionStateOptions,
): Promise<readonly ConnectionChange[]> {
  return dataSource.transaction(async (tx) => {
    if (options.lockTimeoutMs !== undefined) await tx.query(`SELECT set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs}ms`]);
    try {
      await lockTerraUser(tx, terraUserId);
    } catch (error) {
      // 55P03 lock_not_available: lock_timeout ran out.
      if (sqlState(error) === '55P03') throw new ConnectionBusyError(terraUserId);
      throw error;
    }
    const state = new ConnectionStateTx(tx, cause);
    await work(state);
    await scheduleOnConnectBackfills(tx, state.changes, options.onConnectBackfills);
    // Last: the events commit or roll back with the changes they describe.
    await recordEvents(tx, state);
    return state.changes;
  });
}
