import type { DataSource, EntityManager } from 'typeorm';

/**
 * Serialises every change to one Terra user id until the transaction ends, whether or not a connection row
 * exists yet: the webhook applier takes it for each event, the API's disconnect takes it too, so a data event
 * cannot re-insert health data between a DELETE's status change and its data deletion. Row locks alone
 * cannot: a data event for an id we have no row for inserts health data while an access_revoked for the same
 * id inserts the row and deletes that data, and the delete does not see the other transaction's uncommitted
 * insert. A hash collision only serialises two users needlessly.
 */
export async function lockTerraUser(tx: EntityManager, terraUserId: string): Promise<void> {
  await tx.query(`SELECT ${terraUserLockSql('$1')}`, [terraUserId]);
}

/** A transaction that takes the Terra user's lock first (the backfill requester, scheduler and API). */
export function inTerraUserTx<T>(dataSource: DataSource, terraUserId: string, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (tx) => {
    await lockTerraUser(tx, terraUserId);
    return work(tx);
  });
}

/** The same lock as an SQL expression, for a statement that takes it along with other work (the applier). */
export function terraUserLockSql(terraUserIdExpression: string): string {
  return `pg_advisory_xact_lock(hashtextextended(${terraUserIdExpression}, 0))`;
}

/** The same lock taken only when free: true when taken, false at once when another transaction holds it. */
export function terraUserTryLockSql(terraUserIdExpression: string): string {
  return `pg_try_advisory_xact_lock(hashtextextended(${terraUserIdExpression}, 0))`;
}
