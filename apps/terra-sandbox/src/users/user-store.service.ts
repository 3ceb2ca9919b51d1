import { Injectable } from '@nestjs/common';
import type { SandboxUser } from './sandbox-user';

/**
 * Every connected user, keyed by id, with indexes by reference_id and by provider account so the
 * lookups Terra's API offers stay O(1) however many users exist.
 */
@Injectable()
export class UserStore {
  private readonly users = new Map<string, SandboxUser>();
  private readonly byReference = new Map<string, Set<string>>();
  private readonly byAccount = new Map<string, string>();

  get size(): number {
    return this.users.size;
  }

  get(userId: string): SandboxUser | undefined {
    return this.users.get(userId);
  }

  add(user: SandboxUser): SandboxUser {
    this.users.set(user.user_id, user);
    this.index(user);
    return user;
  }

  remove(userId: string): SandboxUser | undefined {
    const user = this.users.get(userId);
    if (!user) return undefined;
    this.unindex(user);
    this.users.delete(userId);
    return user;
  }

  update(userId: string, patch: Partial<Pick<SandboxUser, 'reference_id' | 'active' | 'scopes' | 'last_webhook_update'>>): SandboxUser | undefined {
    const user = this.users.get(userId);
    if (!user) return undefined;
    this.unindex(user);
    Object.assign(user, patch);
    this.index(user);
    return user;
  }

  withReference(referenceId: string): SandboxUser[] {
    const ids = this.byReference.get(referenceId);
    return ids ? [...ids].map((id) => this.users.get(id) as SandboxUser) : [];
  }

  /** The existing connection of this provider account under this reference_id, if any (terra-contract.md §6). */
  sameAccount(provider: string, account: string, referenceId: string | null): SandboxUser | undefined {
    const id = this.byAccount.get(accountKey(provider, account, referenceId));
    return id ? this.users.get(id) : undefined;
  }

  /** Insertion order: Terra's /subscriptions pages are stable. */
  list(offset = 0, limit = Number.MAX_SAFE_INTEGER): SandboxUser[] {
    const out: SandboxUser[] = [];
    let index = 0;
    for (const user of this.users.values()) {
      if (index >= offset + limit) break;
      if (index >= offset) out.push(user);
      index += 1;
    }
    return out;
  }

  reset(): void {
    this.users.clear();
    this.byReference.clear();
    this.byAccount.clear();
  }

  private index(user: SandboxUser): void {
    if (user.reference_id !== null) {
      let ids = this.byReference.get(user.reference_id);
      if (!ids) this.byReference.set(user.reference_id, (ids = new Set()));
      ids.add(user.user_id);
    }
    this.byAccount.set(accountKey(user.provider, user.account, user.reference_id), user.user_id);
  }

  private unindex(user: SandboxUser): void {
    if (user.reference_id !== null) {
      const ids = this.byReference.get(user.reference_id);
      ids?.delete(user.user_id);
      if (ids?.size === 0) this.byReference.delete(user.reference_id);
    }
    const key = accountKey(user.provider, user.account, user.reference_id);
    if (this.byAccount.get(key) === user.user_id) this.byAccount.delete(key);
  }
}

function accountKey(provider: string, account: string, referenceId: string | null): string {
  return JSON.stringify([provider, account, referenceId]);
}
