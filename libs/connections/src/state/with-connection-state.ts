import { lockTerraUser } from '@terra-connections/persistence';
import type { DataSource } from 'typeorm';
import type { ConnectionChange, ConnectionChangeCause } from './connection-change';
import { recordEvents } from '../events/event-outbox';
import { ConnectionStateTx } from './connection-state.tx';

/**
 * One transaction that changes one Terra user's connection outside the applier (our DELETE, a refresh, a
 * reconciliation repair): the Terra user's lock first, as the applier takes it, then the writes and their
 * outbound events (the outbox). Returns the changes it committed.
 */
export async function withConnectionState(
  dataSource: DataSource,
  terraUserId: string,
  cause: ConnectionChangeCause,
  work: (state: ConnectionStateTx) => Promise<unknown>,
): Promise<readonly ConnectionChange[]> {
  return dataSource.transaction(async (tx) => {
    await lockTerraUser(tx, terraUserId);
    const state = new ConnectionStateTx(tx, cause);
    await work(state);
    // Last: the events commit or roll back with the changes they describe.
    await recordEvents(tx, state);
    return state.changes;
  });
}
