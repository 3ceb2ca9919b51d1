import { Injectable } from '@nestjs/common';
import { AuthTokenStore } from '../auth/auth-token.store';
import { WidgetSessionStore } from '../auth/widget-session.store';
import { SandboxClock } from '../common/sandbox-clock.service';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { TerraTrafficService } from '../common/terra-traffic.service';
import { UserStore } from '../users/user-store.service';
import { DeliveryLog } from '../webhooks/delivery-log.service';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { WebhookFaults } from '../webhooks/webhook-faults.service';
import { BackfillScenarios } from '../data/backfill-scenarios.service';

/** Back to a fresh boot: no users, sessions, tokens, deliveries (pending retries dropped), faults or settings. */
@Injectable()
export class SandboxResetService {
  constructor(
    private readonly users: UserStore,
    private readonly sessions: WidgetSessionStore,
    private readonly tokens: AuthTokenStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly deliveries: DeliveryLog,
    private readonly webhookFaults: WebhookFaults,
    private readonly traffic: TerraTrafficService,
    private readonly settings: SandboxSettings,
    private readonly clock: SandboxClock,
    private readonly backfillScenarios: BackfillScenarios,
  ) {}

  reset(): void {
    this.dispatcher.cancelAll();
    this.users.reset();
    this.sessions.reset();
    this.tokens.reset();
    this.deliveries.reset();
    this.webhookFaults.clear();
    this.traffic.reset();
    this.settings.reset();
    this.clock.reset();
    this.backfillScenarios.reset();
  }
}
