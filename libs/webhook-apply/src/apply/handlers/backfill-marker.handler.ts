import { Injectable } from '@nestjs/common';
import { noteBackfillMarker } from '@terra-connections/connections';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * `large_request_processing`, `large_request_sending` and `rate_limit_hit`: progress of a backfill request,
 * found by its terra-reference (terra-contract.md §11). A marker of a request we did not make changes nothing.
 */
@Injectable()
export class BackfillMarkerHandler implements WebhookEventHandler<'backfill_marker'> {
  readonly kinds = ['backfill_marker'] as const;

  async handle({ inbox, event, tx }: EventContextOf<'backfill_marker'>): Promise<void> {
    await noteBackfillMarker(tx, event, inbox.terraReference);
  }
}
