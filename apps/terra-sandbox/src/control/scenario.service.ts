import { Injectable } from '@nestjs/common';
import { PROVIDERS, type DataType } from '../catalogue/provider-catalogue';
import { DataRequestService } from '../data/data-request.service';
import { SeededRandom } from '../data/seeded-random';
import { controlError } from '../common/control-error';
import { ConnectionService, type ConnectResult } from '../auth/connection.service';
import { UserStore } from '../users/user-store.service';
import type { SandboxUser } from '../users/sandbox-user';
import type { DeliveryRecord } from '../webhooks/delivery-record';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import {
  accessRevokedEvent,
  connectionErrorEvent,
  googleNoDatasourceEvent,
  permissionChangeEvent,
} from '../webhooks/terra-events';

/**
 * When a provider syncs, in days from the start (a day is `day_ms` of real time):
 * - `daily`: once a day for `days` days, then never again (the provider went silent);
 * - `weekdays`: Monday to Friday only (a workout habit): Friday evening, then Monday morning;
 * - `irregular`: a phone's syncs, 0.3 to 1.8 days apart (seeded by the user id: the same user, the same rhythm).
 */
export type RhythmPattern = 'daily' | 'weekdays' | 'irregular';

export interface RhythmInput {
  pattern: RhythmPattern;
  type: DataType;
  days: number;
  day_ms: number;
}

export function rhythmSchedule(pattern: RhythmPattern, days: number, seed: string): number[] {
  if (pattern === 'daily') return Array.from({ length: days }, (_, day) => day + 0.5);
  if (pattern === 'weekdays') {
    const times: number[] = [];
    for (let day = 0; day < days; day += 1) {
      const weekday = day % 7; // 0 = Monday
      if (weekday < 5) times.push(day + (weekday === 0 ? 0.2 : weekday === 4 ? 0.8 : 0.5));
    }
    return times;
  }
  const random = new SeededRandom(`rhythm:${seed}`);
  const times: number[] = [];
  for (let at = 0.1; at < days; at += 0.3 + random.next() * 1.5) times.push(Math.round(at * 1000) / 1000);
  return times;
}

export interface SeedInput {
  provider: string;
  count: number;
  reference_id?: string;
  reference_id_prefix?: string;
  account?: string;
  scopes?: string;
  webhooks: boolean;
}

/** What a real user or provider would do at Terra's side, on demand. */
@Injectable()
export class ScenarioService {
  constructor(
    private readonly users: UserStore,
    private readonly connections: ConnectionService,
    private readonly webhooks: WebhookDispatcher,
    private readonly data: DataRequestService,
  ) {}

  /**
   * The user's provider syncs on a rhythm (RhythmPattern) from now on, one data webhook of `type` per sync,
   * then stops. Returns the schedule; a reset drops what has not been sent.
   */
  rhythm(userId: string, input: RhythmInput): { schedule_days: number[]; ends_in_ms: number } {
    const user = this.user(userId);
    const schedule = rhythmSchedule(input.pattern, input.days, user.user_id);
    for (const day of schedule) this.data.pushIn(day * input.day_ms, () => this.users.get(user.user_id), input.type);
    return { schedule_days: schedule, ends_in_ms: Math.ceil((schedule[schedule.length - 1] ?? 0) * input.day_ms) };
  }

  /** Connected users without going through the widget: for demos and for load (thousands of users). */
  seed(input: SeedInput): SandboxUser[] {
    const provider = PROVIDERS.get(input.provider);
    if (!provider || !provider.enabled) throw controlError(400, `provider: ${input.provider} is not an enabled integration`);
    const created: SandboxUser[] = [];
    for (let i = 0; i < input.count; i += 1) {
      const referenceId = input.reference_id_prefix !== undefined ? `${input.reference_id_prefix}${i}` : (input.reference_id ?? null);
      const account = input.account ?? (provider.sdk && referenceId !== null ? `sdk:${referenceId}` : undefined);
      created.push(
        this.connections.connect({ provider: provider.provider, referenceId, account, scopes: input.scopes, widgetSessionId: null, webhooks: input.webhooks }).user,
      );
    }
    return created;
  }

  user(userId: string): SandboxUser {
    const user = this.users.get(userId);
    if (!user) throw controlError(404, `user_id: no user ${userId}`);
    return user;
  }

  /**
   * The user disconnects at Terra's side (not through our API): deleted, deauth sent at once; with `deliver`
   * false the deauth delivery is lost (a missed webhook that only reconciliation finds).
   */
  deauth(userId: string, deliver = true): SandboxUser {
    this.user(userId);
    if (!deliver) return this.users.remove(userId) as SandboxUser;
    return this.connections.deauthenticate(userId, 'now') as SandboxUser;
  }

  reauth(userId: string): ConnectResult {
    return this.connections.reconnect(this.user(userId).user_id) as ConnectResult;
  }

  /** Access removed at the provider: Terra stops updating the user (active false) and says so. */
  accessRevoked(userId: string): DeliveryRecord {
    const user = this.users.update(this.user(userId).user_id, { active: false }) as SandboxUser;
    return this.webhooks.dispatch({ payload: accessRevokedEvent(user), userIds: [user.user_id] });
  }

  connectionError(userId: string): DeliveryRecord {
    const user = this.user(userId);
    return this.webhooks.dispatch({ payload: connectionErrorEvent(user), userIds: [user.user_id] });
  }

  /** New scopes = old - removed + added; the event carries the full new `user.scopes` (terra-contract.md §5). */
  permissionChange(userId: string, added: string[], removed: string[]): DeliveryRecord {
    const user = this.user(userId);
    const scopes = new Set((user.scopes ?? '').split(',').filter((scope) => scope !== ''));
    for (const scope of removed) scopes.delete(scope);
    for (const scope of added) scopes.add(scope);
    const updated = this.users.update(user.user_id, { scopes: [...scopes].sort().join(',') }) as SandboxUser;
    return this.webhooks.dispatch({ payload: permissionChangeEvent(updated, added, removed), userIds: [user.user_id] });
  }

  googleNoDatasource(userId: string): DeliveryRecord {
    const user = this.user(userId);
    return this.webhooks.dispatch({ payload: googleNoDatasourceEvent(user), userIds: [user.user_id] });
  }
}
