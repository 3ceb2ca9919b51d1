import type { EntityManager } from 'typeorm';

/**
 * Serialises every event of one Terra user id until the transaction ends, whether or not a connection row
 * exists yet. Row locks alone cannot: a data event for an id we have no row for inserts health data while
 * an access_revoked for the same id inserts the row and deletes that data, and the delete does not see the
 * other transaction's uncommitted insert. A hash collision only serialises two users needlessly.
 */
export async function lockTerraUser(tx: EntityManager, terraUserId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [terraUserId]);
}
