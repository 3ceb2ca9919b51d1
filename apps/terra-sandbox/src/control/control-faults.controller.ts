import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { parseControlInput } from '../common/parse-input';
import { TerraTrafficService } from '../common/terra-traffic.service';
import { WebhookFaults } from '../webhooks/webhook-faults.service';

const restFaultBody = z.object({
  path: z.string().min(1).refine((path) => path === '*' || path.startsWith('/'), 'must start with / (e.g. /v2/userInfo) or be *'),
  method: z.string().optional(),
  status: z.number().int().min(400).max(599),
  count: z.number().int().min(1).max(10_000).default(1),
});
const webhookFaultBody = z
  .object({
    kind: z.enum(['status', 'timeout', 'reset']).default('status'),
    status: z.number().int().min(100).max(599).optional(),
    type: z.string().optional(),
    count: z.number().int().min(1).max(10_000).default(1),
  })
  .refine((body) => body.kind !== 'status' || body.status !== undefined, { message: 'is required when kind is status', path: ['status'] });

/** /sandbox/faults: make the next N REST calls or webhook attempts fail. */
@Controller('sandbox/faults')
export class ControlFaultsController {
  constructor(
    private readonly traffic: TerraTrafficService,
    private readonly webhookFaults: WebhookFaults,
  ) {}

  @Get()
  list(): Record<string, unknown> {
    return { rest: this.traffic.listFaults(), webhook: this.webhookFaults.list() };
  }

  /** E.g. `{"path":"/v2/userInfo","status":503,"count":2}`: the SDK's two retries then see success. */
  @Post('rest')
  @HttpCode(201)
  addRest(@Body() body: unknown): Record<string, unknown> {
    return { fault: this.traffic.addFault(parseControlInput(restFaultBody, body)) };
  }

  @Post('webhook')
  @HttpCode(201)
  addWebhook(@Body() body: unknown): Record<string, unknown> {
    return { fault: this.webhookFaults.add(parseControlInput(webhookFaultBody, body)) };
  }

  @Delete()
  @HttpCode(200)
  clear(): Record<string, unknown> {
    this.traffic.clearFaults();
    this.webhookFaults.clear();
    return { cleared: true };
  }
}
