import { WebhookEventStatus } from '@terra-connections/persistence';
import type { EntityManager } from 'typeorm';

export interface ErasureScope {
  /** Only data emitted up to then (an access_revoked keeps what a later re-consent sent); all when absent. */
  upTo?: Date;
  /** The inbox row that asked for the erasure keeps its own body as the record. */
  keepEventId?: string;
}

/**
 * The one erasure of a person's health data, for a DELETE and an access_revoked alike: the health_data rows,
 * then the raw payloads of the user's processed inbox rows, which hold the same data. Inbox rows, types and
 * dedup keys stay (Terra's retries are still recognised, the audit trail stays); processed rows are never
 * replayed, so nothing needs their body. Pending and failed rows keep theirs: they have not been applied yet.
 * Runs under the Terra user's lock, so no data event of the user can insert between the two statements.
 */
export async function eraseConnectionData(tx: EntityManager, terraUserId: string, scope: ErasureScope = {}): Promise<void> {
  await tx.query(`DELETE FROM health_data WHERE terra_user_id = $1 AND ($2::timestamptz IS NULL OR event_at <= $2::timestamptz)`, [
    terraUserId,
    scope.upTo ?? null,
  ]);
  await tx.query(
    `UPDATE webhook_events SET payload = '{}'::jsonb
     WHERE terra_user_id = $1 AND status = $2 AND payload <> '{}'::jsonb AND ($3::bigint IS NULL OR id <> $3::bigint)`,
    [terraUserId, WebhookEventStatus.Processed, scope.keepEventId ?? null],
  );
}
