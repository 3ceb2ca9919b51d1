import type { TerraUser } from '@terra-connections/terra';

/** What reconciliation needs from Terra (terra-contract.md §2.5, §2.6). */
export interface TerraUserDirectory {
  /** Every user of our dev-id (`GET /subscriptions`). */
  listAllUsers(): Promise<TerraUser[]>;
  /** One user (`GET /userInfo?user_id=`); null when Terra answers 404. */
  getUser(userId: string): Promise<TerraUser | null>;
}

/** Injection token; the worker binds it to TerraGateway. */
export const TERRA_USER_DIRECTORY = Symbol('TERRA_USER_DIRECTORY');
