import { Injectable } from '@nestjs/common';
import { PROVIDERS } from '../catalogue/provider-catalogue';
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
  ) {}

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

  /** The user disconnects at Terra's side (not through our API): deleted, deauth sent at once. */
  deauth(userId: string): SandboxUser {
    this.user(userId);
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
