import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { parseControlInput } from '../common/parse-input';
import { SandboxClock } from '../common/sandbox-clock.service';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { TerraTrafficService } from '../common/terra-traffic.service';
import { UserStore } from '../users/user-store.service';
import { DeliveryLog } from '../webhooks/delivery-log.service';
import { describeDelivery } from '../webhooks/delivery-record';
import { healthcheckEvent } from '../webhooks/terra-events';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { SandboxResetService } from './sandbox-reset.service';

const settingsBody = z
  .object({
    webhook_url: z.string().url().optional(),
    webhook_secret: z.string().min(1).optional(),
    legacy_widget_gone: z.boolean().optional(),
    time_scale: z.number().positive().max(1000).optional(),
  })
  .strict();
const clockBody = z.object({ seconds: z.number().positive().max(10 * 365 * 86_400) });
const requestsQuery = z.object({
  path: z.string().optional(),
  method: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

/** /sandbox: health, settings, clock, the REST request log, healthcheck events and reset. */
@Controller('sandbox')
export class ControlSystemController {
  constructor(
    private readonly settings: SandboxSettings,
    private readonly clock: SandboxClock,
    private readonly traffic: TerraTrafficService,
    private readonly users: UserStore,
    private readonly deliveries: DeliveryLog,
    private readonly webhooks: WebhookDispatcher,
    private readonly resetter: SandboxResetService,
  ) {}

  @Get('health')
  health(): Record<string, unknown> {
    return { status: 'ok', users: this.users.size, deliveries: this.deliveries.size, public_url: this.settings.publicUrl() };
  }

  @Get('settings')
  getSettings(): Record<string, unknown> {
    return { ...this.settings.get() };
  }

  @Patch('settings')
  patchSettings(@Body() body: unknown): Record<string, unknown> {
    return { ...this.settings.update(parseControlInput(settingsBody, body)) };
  }

  /** Moves the expiry clock (widget sessions, login links, mobile tokens) forward. */
  @Post('clock/advance')
  @HttpCode(200)
  advanceClock(@Body() body: unknown): Record<string, unknown> {
    this.clock.advance(parseControlInput(clockBody, body).seconds);
    return { now: new Date(this.clock.now()).toISOString() };
  }

  /** Terra REST requests as received (newest first), e.g. to count the SDK's retries. */
  @Get('requests')
  requests(@Query() query: unknown): Record<string, unknown> {
    return { requests: this.traffic.requests(parseControlInput(requestsQuery, query)) };
  }

  @Post('events/healthcheck')
  @HttpCode(200)
  healthcheck(): Record<string, unknown> {
    // No recency anchor: Terra omits x-terra-ordering-timestamp for it (terra-contract.md §4).
    const record = this.webhooks.dispatch({ payload: healthcheckEvent(this.deliveries.size), userIds: [], orderingTimestamp: null });
    return { delivery: describeDelivery(record, false) };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): Record<string, unknown> {
    this.resetter.reset();
    return { reset: true };
  }
}
