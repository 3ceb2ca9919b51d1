import { Injectable, Logger } from '@nestjs/common';
import { isTerraEventType } from '@terra-connections/terra';
import type { EventContextOf, WebhookEventHandler } from '../webhook-event-handler';

/**
 * Events that change nothing: liveness probes, backfill progress, rate-limit notices, a Google account
 * without a data source, and every type Terra adds later (terra-contract.md §5, §8). The inbox row is the record; the
 * parser makes every type the worker does not act on informational, so those are processed, never failed.
 */
@Injectable()
export class InformationalHandler implements WebhookEventHandler<'informational'> {
  readonly kinds = ['informational'] as const;
  private readonly logger = new Logger(InformationalHandler.name);

  async handle({ inbox, event }: EventContextOf<'informational'>): Promise<void> {
    if (!isTerraEventType(event.type)) {
      this.logger.log(`Recorded webhook event ${inbox.id} of a type we do not act on: ${event.type}`);
    }
  }
}
