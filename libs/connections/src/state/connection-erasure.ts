import { lockTerraUser, sqlRows, WebhookEventStatus } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';

export interface ErasureScope {
  /** Only data emitted up to then (an access_revoked keeps what a later re-consent sent); all when absent. */
  upTo?: Date;
  /** The inbox row that asked for the erasure keeps its own body as the record. */
  keepEventId?: string;
}

/**
 * Takes the Terra-user lock of each id (sorted; locks already held are taken again at no cost). Callers hold
 * one id's lock first (the applier's, the API's), so the order is not global: a deadlock between two such
 * transactions is possible, is detected by Postgres, and is retried (a transient failure).
 */
export async function lockConnectionMembers(tx: EntityManager, terraUserIds: readonly string[]): Promise<void> {
  for (const id of [...new Set(terraUserIds)].sort()) await lockTerraUser(tx, id);
}

/**
 * The one erasure of a person's health data, for a DELETE and an access_revoked alike. The data belongs to the
 * connection, so the whole connection's is erased, whichever of its Terra ids asked: the health_data rows,
 * then the raw payloads of the processed inbox rows of every one of its Terra ids, which hold the same data.
 * Inbox rows, types and dedup keys stay (Terra's retries are still recognised, the audit trail stays);
 * processed rows are never replayed, so nothing needs their body. Pending and failed rows keep theirs: they
 * have not been applied yet. Runs under the locks of every Terra id of the connection, so no data event of
 * the connection can insert between the two statements.
 */
export async function eraseConnectionData(tx: EntityManager, terraUserId: string, scope: ErasureScope = {}): Promise<void> {
  const members = async () =>
    sqlRows<{ connection_id: string; terra_user_id: string }>(
      await tx.query(
        `SELECT m.connection_id, m.terra_user_id FROM terra_connections m
         WHERE m.connection_id = COALESCE((SELECT connection_id FROM terra_connections WHERE terra_user_id = $1), tc_connection_uuid($1))`,
        [terraUserId],
      ),
    );
  await lockConnectionMembers(tx, (await members()).map((member) => member.terra_user_id));
  const rows = await members();
  const connectionId =
    rows[0]?.connection_id ?? sqlRows<{ key: string }>(await tx.query(`SELECT tc_connection_uuid($1) AS key`, [terraUserId]))[0].key;
  const terraUserIds = [...new Set([terraUserId, ...rows.map((member) => member.terra_user_id)])];
  await tx.query(`DELETE FROM health_data WHERE connection_id = $1 AND ($2::timestamptz IS NULL OR event_at <= $2::timestamptz)`, [
    connectionId,
    scope.upTo ?? null,
  ]);
  await tx.query(
    `UPDATE webhook_events SET payload = '{}'::jsonb
     WHERE terra_user_id = ANY($1::varchar[]) AND status = $2 AND payload <> '{}'::jsonb AND ($3::bigint IS NULL OR id <> $3::bigint)`,
    [terraUserIds, WebhookEventStatus.Processed, scope.keepEventId ?? null],
  );
}
