import pino from 'pino';

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

/**
 * Exact paths only, applied by pino's redactor. Wildcard paths (`*.key`) are not used: each one costs a pass
 * over every log line, and 65 of them took 9 % of the API's CPU per webhook (docs/performance.md).
 * Keys below the top level are handled by `redactNested`, one walk per line.
 */
export const REDACTED_PATHS: string[] = [
  ...[...SECRET_KEYS, ...HEALTH_DATA_KEYS].map(path),
  ...['authorization', 'cookie', 'terra-signature', 'x-terra-signature', 'x-api-key', 'dev-id'].map((h) => `req.headers["${h}"]`),
  'res.headers["set-cookie"]',
  ...ERROR_KEYS.map((key) => `err.${key}`),
];

export const REDACTED = '[Redacted]';

const NESTED_KEYS = new Set([...SECRET_KEYS, ...HEALTH_DATA_KEYS]);
/** Deep enough for anything a caller logs by mistake (a job, its data, a section of it). */
const MAX_DEPTH = 4;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
};

/**
 * The net below the top level: any secret or health-data key inside a plain object or array that a caller
 * passed to a log method is censored, to MAX_DEPTH levels. Copy on write: the caller's object is never
 * changed, and a line with nothing to censor costs one look at each key. Class instances (requests,
 * responses) are skipped: their serializers keep only safe fields. Errors get the same walk after their
 * serializer (`serializeError`), bindings of a LogContext child logger when it is made.
 * Runs as pino's `formatters.log`, before the exact-path redactor.
 */
export function redactNested<T extends Record<string, unknown>>(obj: T): T {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    const value = obj[key];
    if (!isPlainObject(value)) continue;
    const censored = censorBelow(value, 1);
    if (censored !== value) (out ??= { ...obj })[key] = censored;
  }
  return (out as T | undefined) ?? obj;
}

/**
 * pino's error serializer, then the same walk over what it kept: an error can carry a response body or a
 * payload (TerraApiError's `body`), which a serializer copies as it is.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  return censorBelow({ ...(serialized as Record<string, unknown>) }, 1);
}

function censorBelow(value: Record<string, unknown> | unknown[], depth: number): Record<string, unknown> | unknown[] {
  let out: Record<string, unknown> | unknown[] | undefined;
  const entries = value as Record<string, unknown>;
  for (const key in entries) {
    const child = entries[key];
    let next = child;
    if (NESTED_KEYS.has(key)) next = REDACTED;
    else if (depth < MAX_DEPTH && isPlainObject(child)) next = censorBelow(child, depth + 1);
    if (next !== child) {
      out ??= Array.isArray(value) ? [...value] : { ...value };
      (out as Record<string, unknown>)[key] = next;
    }
  }
  return out ?? value;
}

/** Query parameters that can carry a credential (none do today; kept so a future one is not logged by default). */
const SENSITIVE_QUERY = /([?&](?:token|key|api_key|secret|signature)=)[^&]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, `$1${REDACTED}`);
}
