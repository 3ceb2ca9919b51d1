import type { EntityManager } from 'typeorm';
import { WebhookEventStatus } from './entities';

/**
 * Empties the stored raw payloads of a Terra user's processed webhook events: after a DELETE or an
 * access_revoked the health data in them must go too. Rows, types and dedup keys stay (Terra's retries are
 * still recognised, the audit trail stays); processed rows are never replayed, so nothing needs the body.
 * Pending and failed rows keep theirs: they have not been applied yet. Returns how many rows were emptied.
 */
export async function purgeProcessedWebhookPayloads(
  tx: EntityManager,
  terraUserId: string,
  exceptEventId?: string,
): Promise<number> {
  const result: unknown = await tx.query(
    `UPDATE webhook_events SET payload = '{}'::jsonb
     WHERE terra_user_id = $1 AND status = $2 AND payload <> '{}'::jsonb AND ($3::bigint IS NULL OR id <> $3::bigint)`,
    [terraUserId, WebhookEventStatus.Processed, exceptEventId ?? null],
  );
  // TypeORM's postgres driver answers an UPDATE with [rows, affectedCount].
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
