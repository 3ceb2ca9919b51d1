/** One Terra user = one provider account connection (terra-contract.md §2, §6). */
export interface SandboxUser {
  user_id: string;
  provider: string;
  reference_id: string | null;
  scopes: string | null;
  active: boolean;
  last_webhook_update: string | null;
  created_at: string;
  /**
   * Which account at the provider this is. Connecting the same account again under the same reference_id
   * replaces the user (new id + user_reauth); the mobile SDK uses the reference_id itself as the account.
   */
  account: string;
}

/** `TerraUser` as it travels on the wire: absent values are `null`, as in Terra's examples. */
export interface TerraUserPayload {
  user_id: string;
  provider: string;
  last_webhook_update: string | null;
  scopes: string | null;
  reference_id: string | null;
  active: boolean;
  created_at?: string;
}

export function toTerraUser(user: SandboxUser, options: { withCreatedAt?: boolean } = {}): TerraUserPayload {
  const payload: TerraUserPayload = {
    user_id: user.user_id,
    provider: user.provider,
    last_webhook_update: user.last_webhook_update,
    scopes: user.scopes,
    reference_id: user.reference_id,
    active: user.active,
  };
  // Not in SDK 2.1.0's TerraUser, but Terra's published auth example and REST answers carry it.
  if (options.withCreatedAt) payload.created_at = user.created_at;
  return payload;
}

/** Terra's timestamp style: ISO-8601 with microseconds and an explicit offset. */
export function terraTimestamp(date: Date | number = new Date()): string {
  return new Date(date).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}
