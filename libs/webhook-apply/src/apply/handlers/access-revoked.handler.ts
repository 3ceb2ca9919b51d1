import { Injectable } from '@nestjs/common';
import { ConnectionStatus, purgeProcessedWebhookPayloads } from '@terra-connections/persistence';
import { TerraEventType } from '@terra-connections/terra';
import { applyUserStatusEvent } from '../user-status-event';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `access_revoked` -> revoked, and the user's health data deleted as Terra recommends (terra-contract.md §5). Data
 * emitted after the revocation (a later re-consent) is kept; data events for a revoked connection are not
 * stored at all (health-data.handler.ts). The raw bodies of the user's processed webhook events hold the same
 * data and are emptied too (rows and dedup keys stay); this event's own row keeps its body as the record.
 */
@Injectable()
export class AccessRevokedHandler implements WebhookEventHandler {
  readonly types = [TerraEventType.AccessRevoked];

  async handle({ event, tx }: EventContext): Promise<void> {
    const terraUserId = await applyUserStatusEvent(tx, event, {
      status: ConnectionStatus.Revoked,
      defaultReason: 'access revoked',
    });
    await tx.query(`DELETE FROM health_data WHERE terra_user_id = $1 AND event_at <= $2`, [terraUserId, event.eventAt]);
    await purgeProcessedWebhookPayloads(tx, terraUserId, event.id);
  }
}
