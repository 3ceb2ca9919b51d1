import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PROVIDERS } from '../catalogue/provider-catalogue';
import { UserStore } from '../users/user-store.service';
import { terraTimestamp, type SandboxUser } from '../users/sandbox-user';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { authErrorEvent, authSuccessEvent, deauthEvent, userReauthEvent } from '../webhooks/terra-events';

export interface ConnectInput {
  provider: string;
  referenceId: string | null;
  /** Provider account; the same account under the same reference_id replaces the old user. Default: a new account. */
  account?: string;
  /** authenticateUser allocates the id up front; the widget allocates it on Allow. */
  userId?: string;
  widgetSessionId: string | null;
  scopes?: string;
  /** Bulk seeding can skip the webhooks. */
  webhooks?: boolean;
}

export interface ConnectResult {
  user: SandboxUser;
  replaced: SandboxUser | null;
}

/** Terra waits a moment before the deauth webhook that follows a DELETE (terra-contract.md §2.3); scaled by SANDBOX_TIME_SCALE. */
const DEAUTH_WEBHOOK_DELAY_MS = 2000;

/** What happens at Terra when a connection is made, fails, is replaced or removed, and the webhooks it sends. */
@Injectable()
export class ConnectionService {
  constructor(
    private readonly users: UserStore,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  connect(input: ConnectInput): ConnectResult {
    const provider = input.provider.toUpperCase();
    const account = input.account ?? randomUUID();
    const replaced = this.users.sameAccount(provider, account, input.referenceId) ?? null;
    if (replaced) this.users.remove(replaced.user_id);
    const user = this.users.add({
      user_id: input.userId ?? randomUUID(),
      provider,
      reference_id: input.referenceId,
      scopes: input.scopes ?? PROVIDERS.get(provider)?.scopes ?? null,
      active: true,
      last_webhook_update: null,
      created_at: terraTimestamp(),
      account,
    });
    if (input.webhooks !== false) {
      // Terra sends both on a reconnect of the same account; their order is not guaranteed (terra-contract.md §5).
      if (replaced) this.webhooks.dispatch({ payload: userReauthEvent(replaced, user), userIds: [replaced.user_id, user.user_id] });
      this.webhooks.dispatch({ payload: authSuccessEvent(user, input.widgetSessionId), userIds: [user.user_id] });
    }
    return { user, replaced };
  }

  /** A failed or cancelled login: the provisional user is deleted at once and only the auth error is sent. */
  fail(input: { provider: string; referenceId: string | null; userId?: string; reason: string; widgetSessionId: string | null }): SandboxUser {
    const provisional: SandboxUser = {
      user_id: input.userId ?? randomUUID(),
      provider: input.provider.toUpperCase(),
      reference_id: input.referenceId,
      scopes: null,
      active: false,
      last_webhook_update: null,
      created_at: terraTimestamp(),
      account: randomUUID(),
    };
    this.webhooks.dispatch({
      payload: authErrorEvent(provisional, input.reason, input.widgetSessionId),
      userIds: [provisional.user_id],
    });
    return provisional;
  }

  /**
   * Deletes the user and sends `deauth`: a moment later when our API asked (DELETE deauthenticateUser),
   * at once when the user disconnected at Terra's side.
   */
  deauthenticate(userId: string, timing: 'delayed' | 'now'): SandboxUser | undefined {
    const user = this.users.remove(userId);
    if (!user) return undefined;
    const event = { payload: deauthEvent(user), userIds: [user.user_id] };
    if (timing === 'now') this.webhooks.dispatch(event);
    else this.webhooks.dispatchAfter(DEAUTH_WEBHOOK_DELAY_MS, () => event);
    return user;
  }

  /** The same provider account connects again under the same reference_id: new id, old one deleted. */
  reconnect(userId: string): ConnectResult | undefined {
    const user = this.users.get(userId);
    if (!user) return undefined;
    return this.connect({
      provider: user.provider,
      referenceId: user.reference_id,
      account: user.account,
      widgetSessionId: null,
      scopes: user.scopes ?? undefined,
    });
  }
}
