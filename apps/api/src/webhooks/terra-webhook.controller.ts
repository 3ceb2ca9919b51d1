import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { TerraWebhookReceiver } from '@terra-connections/webhook-ingest';
import { ApiErrorResponse } from '../common/api-error.response';
import { toWebhookReceiptResponse } from './dto/webhook-receipt.mapper';
import { WebhookReceiptResponse } from './dto/webhook.responses';

/**
 * Terra's webhook destination as OpenAPI sees it. Every request for the path is served in front of Express by
 * terra-webhook.listener.ts (the hot path, content-encoded deliveries included), so this route is only
 * reached by a path the listener does not take; no body parser reads for it, and such a request fails the
 * signature check (401). It calls the same TerraWebhookReceiver.
 */
@ApiTags('webhooks')
@Controller('webhooks/terra')
export class TerraWebhookController {
  constructor(private readonly receiver: TerraWebhookReceiver) {}

  @Post()
  @ApiOperation({
    operationId: 'receiveTerraWebhook',
    summary: "Terra's webhook destination: verified, stored in the inbox, enqueued, answered",
    description: 'Authenticated by the HMAC signature over the raw body (TERRA_WEBHOOK_SECRET), not by an API key. 200 means the delivery is durably stored.',
  })
  @ApiHeader({ name: 'terra-signature', required: true, description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (x-terra-signature is also read)' })
  @ApiHeader({ name: 'x-terra-trace-id', required: false, description: 'Stable across retries: the dedup key when sent' })
  @ApiHeader({ name: 'x-terra-ordering-timestamp', required: false, description: 'Emission time, unix ms: orders the events' })
  @ApiBody({ description: 'A Terra event, exactly as signed', schema: { type: 'object', required: ['type'], properties: { type: { type: 'string', example: 'activity' } }, additionalProperties: true } })
  @ApiOkResponse({ type: WebhookReceiptResponse })
  @ApiResponseFor(400, 'The signed body is not a JSON object with a string `type`')
  @ApiResponseFor(401, 'Missing, malformed, wrong or expired signature')
  @ApiResponseFor(413, 'Body larger than WEBHOOK_BODY_LIMIT (inflated, for an encoded body); 415 for an encoding other than gzip, deflate, br')
  @ApiResponseFor(503, 'The inbox is unavailable, or WEBHOOK_INFLIGHT_BYTES of bodies are already in flight (with Retry-After); Terra retries')
  @HttpCode(200)
  async receive(@Req() req: Request & { id?: unknown }): Promise<WebhookReceiptResponse> {
    const receipt = await this.receiver.receive({
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      headers: req.headers,
      requestId: typeof req.id === 'string' ? req.id : headerValue(req.headers['x-request-id']),
    });
    return toWebhookReceiptResponse(receipt);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function ApiResponseFor(status: number, description: string) {
  return ApiResponse({ status, description, type: ApiErrorResponse });
}
