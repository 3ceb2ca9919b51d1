import { z } from 'zod';
import { isJsonObject } from '../webhooks/terra-event-envelope';
import { TERRA_DATA_EVENT_TYPES, TerraEventType, type TerraDataEventType } from '../webhooks/terra-event-type';
import type {
  TerraAuthFailureEvent,
  TerraBackfillMarkerEvent,
  TerraDataEvent,
  TerraEvent,
  TerraEventUser,
  TerraUserStatusEvent,
} from './terra-event';
import { parseTerraScopes } from './terra-scopes';

/**
 * A stored payload that cannot become its type's event (a required user id or data array missing, an auth
 * with an unknown status). Applying it again cannot succeed: the worker fails it at once. The message names
 * the type and the missing part, never a payload value (it is logged and stored in last_error).
 */
export class TerraEventParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerraEventParseError';
  }
}

/** Terra sends null, "" and nothing alike for an optional string: all three are null, as is a non-string. */
const text = z.string().min(1).nullable().catch(null);

const terraUser = z
  .object({
    user_id: z.string().min(1),
    provider: text,
    reference_id: text,
    scopes: z.unknown().transform(parseTerraScopes),
  })
  .transform(
    (user): TerraEventUser => ({ userId: user.user_id, provider: user.provider, referenceId: user.reference_id, scopes: user.scopes }),
  );

/** A user the event can do without: one without a usable user_id counts as absent. */
const optionalUser = terraUser.nullable().catch(null);

/** The user the event is about: without it (or its user_id) nothing can be applied. */
function requiredUser(field: string) {
  return z.unknown().transform((value, ctx): TerraEventUser => {
    const user = terraUser.safeParse(value);
    if (user.success) return user.data;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `without ${field}.user_id` });
    return z.NEVER;
  });
}

/** Every event is a JSON object; unknown fields are dropped. */
function eventObject<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { message: 'is not a JSON object' });
}

const authFailureShape = {
  user: optionalUser,
  provider: text,
  reference_id: text,
  reason: text,
  message: text,
  widget_session_id: text,
  flow_id: text,
};

function authFailure<K extends TerraAuthFailureEvent['kind']>(
  kind: K,
  payload: z.output<z.ZodObject<typeof authFailureShape>>,
): TerraAuthFailureEvent<K> {
  return {
    kind,
    user: payload.user,
    provider: payload.provider,
    referenceId: payload.reference_id,
    reason: payload.reason,
    message: payload.message,
    widgetSessionId: payload.widget_session_id,
    flowId: payload.flow_id,
  };
}

const auth = z
  .discriminatedUnion(
    'status',
    [
      eventObject({ status: z.literal('success'), user: requiredUser('user'), reference_id: text, widget_session_id: text }),
      eventObject({ status: z.literal('error'), ...authFailureShape }),
    ],
    {
      errorMap: (issue) => ({
        message: issue.code === z.ZodIssueCode.invalid_union_discriminator ? 'with a status other than success or error' : 'is not a JSON object',
      }),
    },
  )
  .transform((payload): TerraEvent =>
    payload.status === 'success'
      ? { kind: 'auth_success', user: payload.user, referenceId: payload.reference_id, widgetSessionId: payload.widget_session_id }
      : authFailure('auth_error', payload),
  );

/** The 2026 failed-auth event: whatever its status, the attempt did not connect. */
const authCancelled = eventObject(authFailureShape).transform((payload) => authFailure('auth_cancelled', payload));

function userStatus<K extends TerraUserStatusEvent['kind']>(kind: K) {
  return eventObject({ user: requiredUser('user'), message: text }).transform(
    (payload): TerraUserStatusEvent<K> => ({ kind, user: payload.user, message: payload.message }),
  );
}

const userReauth = eventObject({ new_user: requiredUser('new_user'), old_user: optionalUser }).transform(
  (payload): TerraEvent => ({ kind: 'user_reauth', newUser: payload.new_user, oldUser: payload.old_user }),
);

const permissionChange = eventObject({ user: requiredUser('user') }).transform(
  (payload): TerraEvent => ({ kind: 'permission_change', user: payload.user }),
);

/** Items are kept as sent: which of them have a key is the worker's business (an item without one is skipped). */
function dataEvent(type: TerraDataEvent['type']) {
  return eventObject({ user: requiredUser('user'), data: z.array(z.unknown(), { message: 'without a data array' }) }).transform(
    (payload): TerraEvent => ({ kind: 'data', type, user: payload.user, data: payload.data }),
  );
}

const athlete = eventObject({
  user: requiredUser('user'),
  // Taken as sent (a record schema would copy it, key by key).
  athlete: z.custom<Record<string, unknown>>(isJsonObject, { message: 'without an athlete object' }),
}).transform((payload): TerraEvent => ({ kind: 'athlete', type: TerraEventType.Athlete, user: payload.user, athlete: payload.athlete }));

/** A date or date-time as Terra writes it; anything else is null (the marker is still applied). */
const instant = z
  .unknown()
  .transform((value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const date = new Date(typeof value === 'number' ? value * 1000 : value);
    return Number.isNaN(date.getTime()) ? null : date;
  });

/** A marker never fails its inbox row: whatever fields are missing or odd are null. */
function backfillMarker(type: TerraBackfillMarkerEvent['type']) {
  return z.preprocess((value) => (isJsonObject(value) ? value : {}), eventObject({
    user: optionalUser,
    reference: text,
    expected_payloads: z.coerce.number().int().min(0).nullable().catch(null),
    start_date: text,
    end_date: text,
    retrying_at: instant,
    message: text,
  }).transform(
    (payload): TerraEvent => ({
      kind: 'backfill_marker',
      type,
      user: payload.user,
      reference: payload.reference,
      expectedPayloads: type === 'large_request_sending' ? payload.expected_payloads : null,
      startDate: payload.start_date,
      endDate: payload.end_date,
      retryingAt: payload.retrying_at,
      message: payload.message,
    }),
  ));
}

const isAthlete = (type: TerraDataEventType): type is TerraEventType.Athlete => type === TerraEventType.Athlete;

/** The types the worker acts on; every other type is informational. A Map: a type named `constructor` is not ours. */
const SCHEMAS = new Map<string, z.ZodType<TerraEvent, z.ZodTypeDef, unknown>>([
  [TerraEventType.Auth, auth],
  [TerraEventType.AuthCancelled, authCancelled],
  [TerraEventType.Deauth, userStatus('deauth')],
  [TerraEventType.AccessRevoked, userStatus('access_revoked')],
  [TerraEventType.ConnectionError, userStatus('connection_error')],
  [TerraEventType.UserReauth, userReauth],
  [TerraEventType.PermissionChange, permissionChange],
  [TerraEventType.LargeRequestProcessing, backfillMarker('large_request_processing')],
  [TerraEventType.LargeRequestSending, backfillMarker('large_request_sending')],
  [TerraEventType.RateLimitHit, backfillMarker('rate_limit_hit')],
  ...TERRA_DATA_EVENT_TYPES.map((type) => [type, isAthlete(type) ? athlete : dataEvent(type)] as const),
]);

/**
 * Parses a stored webhook payload once into the event the worker applies. `type` is the inbox row's type
 * (the body's own `type`, as the receiver stored it). Types the worker does not act on, known or not, become
 * informational without their payload being read. Throws TerraEventParseError for a payload that cannot
 * be its type's event.
 */
export function parseTerraEvent(type: string, payload: unknown): TerraEvent {
  const schema = SCHEMAS.get(type);
  if (!schema) return { kind: 'informational', type };
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  // Only the first problem, in field order (the user before the data), as a handler used to find it.
  throw new TerraEventParseError(`${type} event ${result.error.issues[0]?.message ?? 'cannot be parsed'}`);
}
