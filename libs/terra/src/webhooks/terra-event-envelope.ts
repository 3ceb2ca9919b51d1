import { TerraEventType } from './terra-event-type';

/** What the receiver needs from a verified body before storing it: nothing Terra-specific beyond this. */
export interface TerraEventEnvelope {
  type: string;
  /** `user.user_id`; for `user_reauth`, `new_user.user_id` (the id the event is about from now on). */
  terraUserId: string | null;
  referenceId: string | null;
}

type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown, key: string): string | null {
  if (!isJsonObject(value)) return null;
  const field = value[key];
  return typeof field === 'string' && field.length > 0 ? field : null;
}

/**
 * Reads the envelope of a parsed webhook body, or null when the body is not an event at all (not an object,
 * or no string `type`). Never throws: anything Terra adds later is simply carried along in the payload.
 */
export function describeTerraEvent(body: unknown): TerraEventEnvelope | null {
  if (!isJsonObject(body) || typeof body.type !== 'string' || body.type.length === 0) return null;
  const user = body.type === TerraEventType.UserReauth ? body.new_user : body.user;
  return {
    type: body.type,
    terraUserId: stringField(user, 'user_id'),
    referenceId: stringField(body, 'reference_id') ?? stringField(user, 'reference_id'),
  };
}
