import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DATA_TYPES } from '../catalogue/provider-catalogue';
import { parseControlInput } from '../common/parse-input';
import { DataRequestService, monthChunks } from '../data/data-request.service';
import { lastDays, MAX_RANGE_DAYS } from '../data/date-range';
import { UserStore } from '../users/user-store.service';
import { describeDelivery } from '../webhooks/delivery-record';
import { ScenarioService } from './scenario.service';

const listQuery = z.object({
  reference_id: z.string().optional(),
  provider: z.string().optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
});
const seedBody = z
  .object({
    provider: z.string().min(1),
    count: z.number().int().min(1).max(100_000).default(1),
    reference_id: z.string().min(1).optional(),
    reference_id_prefix: z.string().optional(),
    account: z.string().min(1).optional(),
    scopes: z.string().optional(),
    webhooks: z.boolean().default(true),
  })
  .refine((body) => body.account === undefined || body.count === 1, { message: 'account only works with count 1', path: ['account'] });
const scopeList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : (Array.isArray(value) ? value : value.split(','))).map((s) => s.trim()).filter((s) => s !== ''));
const permissionBody = z
  .object({ scopes_added: scopeList, scopes_removed: scopeList })
  .refine((body) => body.scopes_added.length + body.scopes_removed.length > 0, { message: 'give scopes_added and/or scopes_removed', path: ['scopes_added'] });
const dataBody = z.object({ type: z.enum([...DATA_TYPES, 'athlete']), days: z.number().int().min(1).max(31).default(1) });
const largeBody = z.object({
  type: z.enum(DATA_TYPES).default('activity'),
  days: z.number().int().min(2).max(MAX_RANGE_DAYS).default(60),
  with_samples: z.boolean().default(false),
});
const deauthBody = z.object({ deliver: z.boolean().default(true) }).default({ deliver: true });
const rhythmBody = z.object({
  pattern: z.enum(['daily', 'weekdays', 'irregular']),
  type: z.enum(DATA_TYPES).default('activity'),
  days: z.number().int().min(1).max(365).default(14),
  day_ms: z.number().int().min(10).max(86_400_000).default(86_400_000),
});
const outOfOrderBody = z.object({ type: z.enum(DATA_TYPES).default('daily'), count: z.number().int().min(2).max(20).default(3) });

/** /sandbox/users: seed and inspect users, and make things happen to them at Terra's side. */
@Controller('sandbox/users')
export class ControlUsersController {
  constructor(
    private readonly users: UserStore,
    private readonly scenarios: ScenarioService,
    private readonly data: DataRequestService,
  ) {}

  @Get()
  list(@Query() query: unknown): Record<string, unknown> {
    const input = parseControlInput(listQuery, query);
    const provider = input.provider?.toUpperCase();
    const source = input.reference_id !== undefined ? this.users.withReference(input.reference_id) : this.users.list(input.offset, input.limit);
    const users = provider ? source.filter((user) => user.provider === provider) : source;
    return { total: this.users.size, users: users.slice(0, input.limit) };
  }

  @Post()
  seed(@Body() body: unknown): Record<string, unknown> {
    const users = this.scenarios.seed(parseControlInput(seedBody, body));
    return { count: users.length, users };
  }

  @Get(':userId')
  get(@Param('userId') userId: string): Record<string, unknown> {
    return { user: this.scenarios.user(userId) };
  }

  @Post(':userId/deauth')
  @HttpCode(200)
  deauth(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    const input = parseControlInput(deauthBody, body ?? {});
    return { deauthenticated: this.scenarios.deauth(userId, input.deliver), delivered: input.deliver };
  }

  /** The provider syncs on a rhythm, then stops (freshness scenarios); answers at once with the schedule. */
  @Post(':userId/rhythm')
  @HttpCode(200)
  rhythm(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    return this.scenarios.rhythm(userId, parseControlInput(rhythmBody, body));
  }

  @Post(':userId/reauth')
  @HttpCode(200)
  reauth(@Param('userId') userId: string): Record<string, unknown> {
    const { user, replaced } = this.scenarios.reauth(userId);
    return { old_user_id: replaced?.user_id ?? null, new_user_id: user.user_id, user };
  }

  @Post(':userId/access-revoked')
  @HttpCode(200)
  accessRevoked(@Param('userId') userId: string): Record<string, unknown> {
    return { delivery: describeDelivery(this.scenarios.accessRevoked(userId), false) };
  }

  @Post(':userId/connection-error')
  @HttpCode(200)
  connectionError(@Param('userId') userId: string): Record<string, unknown> {
    return { delivery: describeDelivery(this.scenarios.connectionError(userId), false) };
  }

  @Post(':userId/permission-change')
  @HttpCode(200)
  permissionChange(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    const input = parseControlInput(permissionBody, body);
    const delivery = this.scenarios.permissionChange(userId, input.scopes_added, input.scopes_removed);
    return { user: this.scenarios.user(userId), delivery: describeDelivery(delivery, false) };
  }

  @Post(':userId/google-no-datasource')
  @HttpCode(200)
  googleNoDatasource(@Param('userId') userId: string): Record<string, unknown> {
    return { delivery: describeDelivery(this.scenarios.googleNoDatasource(userId), false) };
  }

  @Post(':userId/data')
  @HttpCode(200)
  pushData(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    const input = parseControlInput(dataBody, body);
    return { delivery: describeDelivery(this.data.push(this.scenarios.user(userId), input.type, input.days), false) };
  }

  /** Returns at once; the webhooks follow in order (large_request_processing, _sending, chunks). */
  @Post(':userId/large-request')
  @HttpCode(200)
  largeRequest(@Param('userId') userId: string, @Body() body: unknown): Record<string, unknown> {
    const input = parseControlInput(largeBody, body);
    const user = this.scenarios.user(userId);
    const reference = randomUUID();
    const days = lastDays(input.days);
    void this.data.sendLargeRequest(user, input.type, days, input.with_samples, reference);
    return { reference, expected_payloads: monthChunks(days).length };
  }

  /** Answers once every version has had its first attempt, newest first. */
  @Post(':userId/out-of-order')
  @HttpCode(200)
  async outOfOrder(@Param('userId') userId: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    const input = parseControlInput(outOfOrderBody, body);
    const records = await this.data.outOfOrder(this.scenarios.user(userId), input.type, input.count);
    return { deliveries: records.map((record) => describeDelivery(record, false)) };
  }
}
