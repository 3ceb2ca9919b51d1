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
import { BackfillScenarios } from './backfill-scenarios.service';

/**
 * A range that spans more than one calendar month becomes a large request, chunked one chunk per calendar month;
 * a range inside one month is one webhook however long (terra-contract.md §11).
 */
export function monthChunks(days: readonly string[]): string[][] {
  const chunks = new Map<string, string[]>();
  for (const day of days) {
    const month = day.slice(0, 7);
    const chunk = chunks.get(month) ?? [];
    chunk.push(day);
    chunks.set(month, chunk);
  }
  return [...chunks.values()];
}

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
    private readonly scenarios: BackfillScenarios,
  ) {}

  /** GET /v2/<type>: inline data, or "sent to webhook" (large ranges chunked), as Terra answers. */
  read(user: SandboxUser, type: DataType, days: string[], toWebhook: boolean, withSamples: boolean): DataAnswer {
    const provider = this.providerOf(user);
    if (!provider.types[type]) {
      return { kind: 'inline', body: { status: 'error', message: `${provider.name} does not provide ${type} data`, user: toTerraUser(user) } };
    }
    if (!toWebhook) return { kind: 'inline', body: { user: toTerraUser(user), data: this.items(user, provider, type, days, withSamples), type } };
    const retryAfter = this.scenarios.takeProcessing(user.user_id);
    if (retryAfter !== null) {
      const message = 'The provider is still fetching this data; try again later';
      return { kind: 'inline', body: { type: 'processing', status: 'success', message, retry_after_seconds: retryAfter, user: toTerraUser(user) } };
    }
    const reference = randomUUID();
    const large = monthChunks(days).length > 1;
    const send = () =>
      large ? void this.sendLargeRequest(user, type, days, withSamples, reference) : this.webhooks.dispatch(this.dataWebhook(user, type, days, withSamples, reference));
    const retryIn = this.scenarios.takeRateLimitHit(user.user_id);
    if (retryIn === null) send();
    else this.rateLimitHit(user, days, reference, retryIn, send);
    if (large) return { kind: 'webhook', reference, body: { ...largeRequestProcessingEvent(toTerraUser(user), reference) } };
    return { kind: 'webhook', reference, body: this.sentToWebhook(user, reference) };
  }

  /** The provider's limit was hit: Terra says so (`rate_limit_hit`) and sends the data at `retrying_at`. */
  private rateLimitHit(user: SandboxUser, days: string[], reference: string, retrySeconds: number, send: () => void): void {
    const retryingAt = new Date(Date.now() + retrySeconds * 1000);
    this.webhooks.dispatch({
      payload: {
        type: 'rate_limit_hit',
        user: toTerraUser(user),
        start_date: days[0],
        end_date: days[days.length - 1],
        retrying_at: retryingAt.toISOString(),
        message: 'Provider rate limit hit; the request is rescheduled',
      },
      userIds: [user.user_id],
      reference,
    });
    setTimeout(send, retrySeconds * 1000).unref();
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
    const months = monthChunks(days);
    const chunks = months.length;
    const traceBase = randomUUID();
    // The lost-chunk scenario: announced in expected_payloads, never sent.
    const lost = this.scenarios.takeLostChunk(user.user_id) ? Math.min(1, chunks - 1) : -1;
    try {
      await this.webhooks.deliver({ payload: largeRequestProcessingEvent(toTerraUser(user), reference), userIds: [user.user_id], reference });
      await this.webhooks.deliver({ payload: largeRequestSendingEvent(toTerraUser(user), reference, chunks), userIds: [user.user_id], reference });
      for (let n = 0; n < chunks; n += 1) {
        if (n === lost) continue;
        const slice = months[n];
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
