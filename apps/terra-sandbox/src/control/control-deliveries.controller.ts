import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { controlError } from '../common/control-error';
import { parseControlInput } from '../common/parse-input';
import { DeliveryLog } from '../webhooks/delivery-log.service';
import { describeDelivery, type DeliveryRecord } from '../webhooks/delivery-record';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';

const listQuery = z.object({
  user_id: z.string().optional(),
  type: z.string().optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  include_payload: z.enum(['true', 'false']).default('false'),
});

/** /sandbox/deliveries: every webhook and each of its attempts; send one again as a duplicate. */
@Controller('sandbox/deliveries')
export class ControlDeliveriesController {
  constructor(
    private readonly log: DeliveryLog,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  /** Newest first. */
  @Get()
  list(@Query() query: unknown): Record<string, unknown> {
    const input = parseControlInput(listQuery, query);
    const records = this.log.list({ user_id: input.user_id, type: input.type, status: input.status, limit: input.limit });
    return { deliveries: records.map((record) => describeDelivery(record, input.include_payload === 'true')) };
  }

  @Get(':deliveryId')
  get(@Param('deliveryId') deliveryId: string): Record<string, unknown> {
    return describeDelivery(this.find(deliveryId), true);
  }

  /** At-least-once delivery on demand: the same bytes, trace id, reference and ordering timestamp again. */
  @Post(':deliveryId/duplicate')
  @HttpCode(200)
  duplicate(@Param('deliveryId') deliveryId: string): Record<string, unknown> {
    return describeDelivery(this.webhooks.duplicate(this.find(deliveryId)), false);
  }

  private find(deliveryId: string): DeliveryRecord {
    const record = this.log.get(deliveryId);
    if (!record) throw controlError(404, `delivery ${deliveryId} is unknown (or older than the log keeps)`);
    return record;
  }
}
