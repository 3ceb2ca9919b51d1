import type { TerraDataEventType, TerraEventType } from '../webhooks/terra-event-type';

/**
 * A Terra user object as the worker uses it. Optional strings that are missing, empty or not strings are
 * null; `scopes` is null when Terra sent no scopes string at all (keep what is stored), [] for "".
 */
export interface TerraEventUser {
  userId: string;
  provider: string | null;
  referenceId: string | null;
  scopes: string[] | null;
}

/** `auth` with status success: the provider is connected under `user.userId`. */
export interface TerraAuthSuccessEvent {
  kind: 'auth_success';
  user: TerraEventUser;
  /** The top-level reference_id (the widget's); `user.referenceId` is the fallback. */
  referenceId: string | null;
  widgetSessionId: string | null;
}

/**
 * `auth` with status error, or the 2026 `auth_cancelled`: the attempt failed. `user` is the provisional
 * user Terra already deleted, and may be absent (auth_cancelled carries none).
 */
export interface TerraAuthFailureEvent<K extends 'auth_error' | 'auth_cancelled' = 'auth_error' | 'auth_cancelled'> {
  kind: K;
  user: TerraEventUser | null;
  provider: string | null;
  referenceId: string | null;
  /** Terra's reason code (`auth_cancelled`, `access_denied`, ...). */
  reason: string | null;
  message: string | null;
  widgetSessionId: string | null;
  /** The 2026 API's stand-in for widget_session_id. */
  flowId: string | null;
}

/** deauth, access_revoked, connection_error: one user, and Terra's message (may be null). */
export interface TerraUserStatusEvent<
  K extends 'deauth' | 'access_revoked' | 'connection_error' = 'deauth' | 'access_revoked' | 'connection_error',
> {
  kind: K;
  user: TerraEventUser;
  message: string | null;
}

/** Terra replaced `oldUser` by `newUser`; the 2026 API may send no old user. */
export interface TerraUserReauthEvent {
  kind: 'user_reauth';
  newUser: TerraEventUser;
  oldUser: TerraEventUser | null;
}

/** `user.scopes` is the new full set (scopes_added/removed are only the diff). */
export interface TerraPermissionChangeEvent {
  kind: 'permission_change';
  user: TerraEventUser;
}

/** activity, sleep, body, daily, nutrition, menstruation: items are stored raw, keyed per item. */
export interface TerraDataEvent {
  kind: 'data';
  type: Exclude<TerraDataEventType, TerraEventType.Athlete>;
  user: TerraEventUser;
  data: unknown[];
}

export interface TerraAthleteEvent {
  kind: 'athlete';
  type: TerraEventType.Athlete;
  user: TerraEventUser;
  athlete: Record<string, unknown>;
}

/**
 * The progress notices of a backfill (terra-contract.md §5, §11): `large_request_processing` (accepted),
 * `large_request_sending` (`expectedPayloads` chunks follow) and `rate_limit_hit` (the provider's limit; Terra
 * retries at `retryingAt`). `reference` is the body's, when it has one; the inbox row's terra-reference header is
 * the other way to find the request.
 */
export interface TerraBackfillMarkerEvent {
  kind: 'backfill_marker';
  type: 'large_request_processing' | 'large_request_sending' | 'rate_limit_hit';
  user: TerraEventUser | null;
  reference: string | null;
  expectedPayloads: number | null;
  /** rate_limit_hit only: the range Terra was fetching, and when it tries again. */
  startDate: string | null;
  endDate: string | null;
  retryingAt: Date | null;
  message: string | null;
}

/**
 * Everything the worker records without acting on: healthcheck, processing, google_no_datasource, s3_payload, and every type Terra adds later. The payload is not read.
 */
export interface TerraInformationalEvent {
  kind: 'informational';
  type: string;
}

/** A stored webhook payload, parsed once: the applier dispatches on `kind` (one member per kind). */
export type TerraEvent =
  | TerraAuthSuccessEvent
  | TerraAuthFailureEvent<'auth_error'>
  | TerraAuthFailureEvent<'auth_cancelled'>
  | TerraUserStatusEvent<'deauth'>
  | TerraUserStatusEvent<'access_revoked'>
  | TerraUserStatusEvent<'connection_error'>
  | TerraUserReauthEvent
  | TerraPermissionChangeEvent
  | TerraDataEvent
  | TerraAthleteEvent
  | TerraBackfillMarkerEvent
  | TerraInformationalEvent;

export type TerraEventKind = TerraEvent['kind'];

/** The member of one kind (or of several): what a handler registered for those kinds receives. */
export type TerraEventOf<K extends TerraEventKind> = Extract<TerraEvent, { kind: K }>;

/** Keyed by kind so that the compiler rejects a kind missing here. */
const KINDS: Record<TerraEventKind, true> = {
  auth_success: true,
  auth_error: true,
  auth_cancelled: true,
  deauth: true,
  access_revoked: true,
  connection_error: true,
  user_reauth: true,
  permission_change: true,
  data: true,
  athlete: true,
  backfill_marker: true,
  informational: true,
};

/** Every kind, so a dispatcher can check at start-up that each has exactly one handler. */
export const TERRA_EVENT_KINDS = Object.keys(KINDS) as readonly TerraEventKind[];
