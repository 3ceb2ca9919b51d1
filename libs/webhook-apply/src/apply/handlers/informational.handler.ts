import { Injectable, Logger } from '@nestjs/common';
import { TerraEventType } from '@terra-connections/terra';
import type { EventContext, WebhookEventHandler } from '../webhook-event-handler';

/**
 * Events that change nothing: liveness probes, backfill progress, rate-limit notices, a Google account
 * without a data source, and every type Terra adds later (terra-contract.md §5, §8). The inbox row is the record; the
 * applier also falls back to this handler for unknown types, so they are processed, never failed.
 */
@Injectable()
export class InformationalHandler implements WebhookEventHandler {
  readonly types = [
    TerraEventType.Healthcheck,
    TerraEventType.LargeRequestProcessing,
    TerraEventType.LargeRequestSending,
    TerraEventType.RateLimitHit,
    TerraEventType.GoogleNoDatasource,
    TerraEventType.Processing,
    TerraEventType.S3Payload,
  ];
  private readonly logger = new Logger(InformationalHandler.name);

  async handle({ event }: EventContext): Promise<void> {
    if (!(this.types as readonly string[]).includes(event.type)) {
      this.logger.log(`Recorded webhook event ${event.id} of a type we do not act on: ${event.type}`);
    }
  }
}
