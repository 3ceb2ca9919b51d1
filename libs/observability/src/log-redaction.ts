/**
 * Everything that must never reach a log line. pino removes these paths before serialising. Request and
 * response bodies are never logged at all (the request serializer keeps id, method and url only), and job
 * log lines carry ids, never payloads; these paths are the net under that rule for anything passed by mistake.
 */

/** Keys that hold credentials or signatures wherever they appear. */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'apiKeys',
  'secret',
  'password',
  'signature',
  'terra-signature',
  'x-terra-signature',
  'x-api-key',
  'dev-id',
];

/**
 * Keys that hold health data or a whole delivery: Terra's envelope (`data`, `payload`, `body`) and every
 * section of its data models (activity, sleep, body, daily, nutrition, menstruation, athlete).
 */
const HEALTH_DATA_KEYS = [
  'payload',
  'rawBody',
  'body',
  'data',
  'athlete',
  'metadata',
  'summary',
  'scores',
  'data_enrichment',
  'device_data',
  'heart_data',
  'heart_rate_data',
  'calories_data',
  'distance_data',
  'active_durations_data',
  'sleep_durations_data',
  'respiration_data',
  'oxygen_data',
  'temperature_data',
  'readiness_data',
  'stress_data',
  'strain_data',
  'glucose_data',
  'ketone_data',
  'blood_pressure_data',
  'hydration_data',
  'measurements_data',
  'menstruation_data',
  'movement_data',
  'position_data',
  'polyline_map_data',
  'power_data',
  'energy_data',
  'lap_data',
  'MET_data',
  'TSS_data',
  'work_data',
  'tag_data',
  'cheat_detection',
  'meals',
  'drink_samples',
];

/**
 * Error properties that can echo a value: TypeORM's QueryFailedError carries the statement's `parameters`
 * (the inbox insert's are the raw body), pg errors a `detail` naming the offending value.
 */
const ERROR_KEYS = ['parameters', 'driverError', 'detail', 'query'];

const path = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`);
const nested = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `*.${key}` : `*["${key}"]`);

export const REDACTED_PATHS: string[] = [
  ...[...SECRET_KEYS, ...HEALTH_DATA_KEYS].flatMap((key) => [path(key), nested(key)]),
  ...['authorization', 'cookie', 'terra-signature', 'x-terra-signature', 'x-api-key', 'dev-id'].map((h) => `req.headers["${h}"]`),
  'res.headers["set-cookie"]',
  ...ERROR_KEYS.map((key) => `err.${key}`),
];

export const REDACTED = '[Redacted]';

/** Query parameters that can carry a credential (none do today; kept so a future one is not logged by default). */
const SENSITIVE_QUERY = /([?&](?:token|key|api_key|secret|signature)=)[^&]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, `$1${REDACTED}`);
}
