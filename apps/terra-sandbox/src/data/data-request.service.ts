import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PROVIDERS, type DataType, type ProviderInfo } from '../catalogue/provider-catalogue';
import { UserStore } from '../users/user-store.service';
import { terraTimestamp, toTerraUser, type SandboxUser, type TerraUserPayload } from '../users/sandbox-user';
import { WebhookDispatcher, type OutgoingWebhook } from '../webhooks/webhook-dispatcher.service';
import { largeRequestProcessingEvent, largeRequestSendingEvent } from '../webhooks/terra-events';
import type { DeliveryRecord } from '../webhooks/delivery-record';
import { athleteEvent, dataEvent, partialDaily } from './data-events';
import { DATA_GENERATORS, type DataItem } from './generators/data-generators';
import { generateAthlete } from './generators/athlete.generator';
import { addDays, lastDays } from './date-range';
import type { Terra } from 'terra-api';

/** Ranges longer than about a month become large requests (terra-contract.md §2.10). */
export const LARGE_REQUEST_MIN_DAYS = 32;
/** At most 10 `data` items per chunk of a large request (terra-contract.md §5). */
export const CHUNK_SIZE = 10;

export type DataAnswer =
  | { kind: 'inline'; body: Record<string, unknown> }
  | { kind: 'webhook'; reference: string; body: Record<string, unknown> };

/** Generates data for REST reads and for the data webhooks the sandbox pushes. */
@Injectable()
export class DataRequestService {
  private readonly logger = new Logger(DataRequestService.name);

  constructor(
    private readonly users: UserStore,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  /** GET /v2/<type>: inline data, or "sent to webhook" (large ranges chunked), as Terra answers. */
  read(user: SandboxUser, type: DataType, days: string[], toWebhook: boolean, withSamples: boolean): DataAnswer {
    const provider = this.providerOf(user);
    if (!provider.types[type]) {
      return { kind: 'inline', body: { status: 'error', message: `${provider.name} does not provide ${type} data`, user: toTerraUser(user) } };
    }
    if (!toWebhook) return { kind: 'inline', body: { user: toTerraUser(user), data: this.items(user, provider, type, days, withSamples), type } };
    const reference = randomUUID();
    if (days.length >= LARGE_REQUEST_MIN_DAYS) {
      void this.sendLargeRequest(user, type, days, withSamples, reference);
      return { kind: 'webhook', reference, body: { ...largeRequestProcessingEvent(toTerraUser(user), reference) } };
    }
    this.webhooks.dispatch(this.dataWebhook(user, type, days, withSamples, reference));
    return { kind: 'webhook', reference, body: this.sentToWebhook(user, reference) };
  }

  /** GET /v2/athlete. */
  readAthlete(user: SandboxUser, toWebhook: boolean): DataAnswer {
    const provider = this.providerOf(user);
    if (!toWebhook) return { kind: 'inline', body: { type: 'athlete', user: toTerraUser(user), athlete: generateAthlete(user, provider) } };
    const reference = randomUUID();
    this.webhooks.dispatch(this.athleteWebhook(user, reference));
    return { kind: 'webhook', reference, body: { ...this.sentToWebhook(user, reference), type: 'webhook' } };
  }

  /** A data webhook pushed by the "provider": the last `days` days in one event. */
  push(user: SandboxUser, type: DataType | 'athlete', days: number): DeliveryRecord {
    const event = type === 'athlete' ? this.athleteWebhook(user, randomUUID()) : this.dataWebhook(user, type, lastDays(days), false, randomUUID());
    return this.webhooks.dispatch(event);
  }

  /** The same push `delayMs` from now (unscaled), for the user as it is then: nothing if it is gone by then. */
  pushIn(delayMs: number, userOf: () => SandboxUser | undefined, type: DataType): void {
    this.webhooks.dispatchIn(delayMs, () => {
      const user = userOf();
      return user ? this.dataWebhook(user, type, lastDays(1), false, randomUUID()) : undefined;
    });
  }

  /**
   * `large_request_processing`, `large_request_sending` and then the chunks, each delivered after the
   * previous one's first attempt, all with `terra-reference` = reference; chunk trace ids `<id>:chunk:<n>`.
   */
  async sendLargeRequest(user: SandboxUser, type: DataType, days: string[], withSamples: boolean, reference: string): Promise<void> {
    const provider = this.providerOf(user);
    const chunks = Math.ceil(days.length / CHUNK_SIZE);
    const traceBase = randomUUID();
    try {
      await this.webhooks.deliver({ payload: largeRequestProcessingEvent(toTerraUser(user), reference), userIds: [user.user_id], reference });
      await this.webhooks.deliver({ payload: largeRequestSendingEvent(toTerraUser(user), reference, chunks), userIds: [user.user_id], reference });
      for (let n = 0; n < chunks; n += 1) {
        const slice = days.slice(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE);
        await this.webhooks.deliver({
          payload: dataEvent(type, this.touched(user), this.items(user, provider, type, slice, withSamples)),
          userIds: [user.user_id],
          reference,
          traceId: `${traceBase}:chunk:${n + 1}`,
        });
      }
    } catch (error) {
      this.logger.error(`large request ${reference} stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Several versions of the same data, delivered newest first: for `daily`, growing totals of one day;
   * otherwise consecutive days. `x-terra-ordering-timestamp` tells the receiver which is newest.
   */
  async outOfOrder(user: SandboxUser, type: DataType, count: number): Promise<DeliveryRecord[]> {
    const provider = this.providerOf(user);
    const now = Date.now();
    const today = lastDays(1)[0];
    const events: OutgoingWebhook[] = Array.from({ length: count }, (_, i) => {
      const item =
        type === 'daily'
          ? partialDaily(DATA_GENERATORS.daily({ user, provider, day: today, withSamples: false }) as Terra.Daily, (i + 1) / count)
          : DATA_GENERATORS[type]({ user, provider, day: addDays(today, i - count + 1), withSamples: false });
      return { payload: dataEvent(type, this.touched(user), [item]), userIds: [user.user_id], orderingTimestamp: now - (count - 1 - i) * 1000 };
    });
    return this.webhooks.deliverInOrder(events.reverse());
  }

  private dataWebhook(user: SandboxUser, type: DataType, days: string[], withSamples: boolean, reference: string): OutgoingWebhook {
    const items = this.items(user, this.providerOf(user), type, days, withSamples);
    return { payload: dataEvent(type, this.touched(user), items), userIds: [user.user_id], reference };
  }

  private athleteWebhook(user: SandboxUser, reference: string): OutgoingWebhook {
    return { payload: athleteEvent(this.touched(user), generateAthlete(user, this.providerOf(user))), userIds: [user.user_id], reference };
  }

  private items(user: SandboxUser, provider: ProviderInfo, type: DataType, days: string[], withSamples: boolean): DataItem[] {
    return days.map((day) => DATA_GENERATORS[type]({ user, provider, day, withSamples }));
  }

  private sentToWebhook(user: SandboxUser, reference: string): Record<string, unknown> {
    return { status: 'success', message: 'Request is being processed and will be sent to your webhook', reference, user: toTerraUser(user) };
  }

  /** Terra stamps `last_webhook_update` when it sends data for a user. */
  private touched(user: SandboxUser): TerraUserPayload {
    const current = this.users.get(user.user_id) ?? user;
    current.last_webhook_update = terraTimestamp();
    return toTerraUser(current);
  }

  private providerOf(user: SandboxUser): ProviderInfo {
    const provider = PROVIDERS.get(user.provider);
    if (!provider) throw new Error(`user ${user.user_id} has a provider missing from the catalogue`);
    return provider;
  }
}
