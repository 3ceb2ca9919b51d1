import { isJsonObject } from '@terra-connections/terra';
import { PermanentEventError } from './permanent-event.error';

export type JsonObject = Record<string, unknown>;

/** The Terra user object of an event, reduced to what handlers store. */
export interface EventUser {
  userId: string;
  provider: string | null;
  referenceId: string | null;
  /** null: the event said nothing about scopes (keep what we have). */
  scopes: string[] | null;
}

export function asObject(payload: unknown): JsonObject {
  if (!isJsonObject(payload)) throw new PermanentEventError('payload is not a JSON object');
  return payload;
}

export function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Terra sends scopes as one comma-separated, provider-specific string (terra-contract.md §2). */
export function splitScopes(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  return value
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
}

export function readUser(value: unknown): EventUser | null {
  if (!isJsonObject(value)) return null;
  const userId = optionalString(value.user_id);
  if (!userId) return null;
  return {
    userId,
    provider: optionalString(value.provider),
    referenceId: optionalString(value.reference_id),
    scopes: splitScopes(value.scopes),
  };
}

/** The event's `user` (or another field holding a TerraUser); a permanent failure when it is missing. */
export function requireUser(payload: JsonObject, field = 'user'): EventUser {
  const user = readUser(payload[field]);
  if (!user) throw new PermanentEventError(`${String(payload.type)} event without ${field}.user_id`);
  return user;
}
