import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { TerraWebhookReceiver } from '@terra-connections/webhooks';

/**
 * Terra's webhook destination. bootstrap.ts mounts a raw body parser on this path (TERRA_WEBHOOK_PATH, keep
 * the two in step) ahead of the JSON parser, so `req.body` is the exact bytes Terra signed.
 */
@Controller('webhooks/terra')
export class TerraWebhookController {
  constructor(private readonly receiver: TerraWebhookReceiver) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request & { id?: unknown }): Promise<{ status: string; event_id: string }> {
    const receipt = await this.receiver.receive({
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      headers: req.headers,
      requestId: typeof req.id === 'string' ? req.id : headerValue(req.headers['x-request-id']),
    });
    return { status: receipt.status, event_id: receipt.eventId };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
