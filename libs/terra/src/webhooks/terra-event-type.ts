/**
 * Webhook `type` values Terra sends (terra-contract.md §5; SDK 2.1.0 `WebhookEventType` plus the 2026 `auth_cancelled`).
 * PERSISTED: stored in webhook_events.type and health_data.type; never rename a value.
 */
export enum TerraEventType {
  Auth = 'auth',
  AuthCancelled = 'auth_cancelled',
  Deauth = 'deauth',
  UserReauth = 'user_reauth',
  AccessRevoked = 'access_revoked',
  ConnectionError = 'connection_error',
  PermissionChange = 'permission_change',
  GoogleNoDatasource = 'google_no_datasource',
  LargeRequestProcessing = 'large_request_processing',
  LargeRequestSending = 'large_request_sending',
  Processing = 'processing',
  RateLimitHit = 'rate_limit_hit',
  Healthcheck = 'healthcheck',
  S3Payload = 's3_payload',
  Activity = 'activity',
  Sleep = 'sleep',
  Body = 'body',
  Daily = 'daily',
  Nutrition = 'nutrition',
  Menstruation = 'menstruation',
  Athlete = 'athlete',
}

/** Every type we know, in one list: the metrics label these by name (anything else is `other`). */
export const TERRA_EVENT_TYPES: readonly TerraEventType[] = Object.values(TerraEventType);

const KNOWN = new Set<string>(TERRA_EVENT_TYPES);

export function isTerraEventType(value: unknown): value is TerraEventType {
  return typeof value === 'string' && KNOWN.has(value);
}

/** Data events: stored in health_data. Each carries `data: []`, except athlete (`athlete: {}`). */
export const TERRA_DATA_EVENT_TYPES = [
  TerraEventType.Activity,
  TerraEventType.Sleep,
  TerraEventType.Body,
  TerraEventType.Daily,
  TerraEventType.Nutrition,
  TerraEventType.Menstruation,
  TerraEventType.Athlete,
] as const;

export type TerraDataEventType = (typeof TERRA_DATA_EVENT_TYPES)[number];
