import type { TerraUser } from '@terra-connections/terra';

/** What reconciliation needs from Terra: every user of our dev-id (`GET /subscriptions`, CONTRACT 2.6). */
export interface TerraUserDirectory {
  listAllUsers(): Promise<TerraUser[]>;
}

/** Injection token; the worker binds it to TerraGateway. */
export const TERRA_USER_DIRECTORY = Symbol('TERRA_USER_DIRECTORY');
