import { z } from 'zod';
import { parseByteSize } from './byte-size';

/** Where the SDK points when no real Terra credentials are configured: our offline sandbox. */
export const SANDBOX_API_URL = 'http://127.0.0.1:3100/v2';
export const SANDBOX_WIDGET_URL = 'http://127.0.0.1:3100/api/widget/session';
export const SANDBOX_DEV_ID = 'sandbox-dev-id';
export const SANDBOX_API_KEY = 'sandbox-api-key';
/** The sandbox signs its webhooks with this unless told otherwise; `npm start` gives the API the same. */
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret';
export const SANDBOX_PORT = 3100;
/**
 * Smallest WEBHOOK_RETRY_BASE_DELAY_MS production accepts: from 2 s the 16 attempts still span an hour at the
 * lowest jitter (webhook-job-options.spec.ts), long enough to ride out a Postgres outage. Tests go lower.
 */
export const PRODUCTION_MIN_RETRY_BASE_DELAY_MS = 2_000;

const csv = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.includes(new URL(value).protocol), {
      message: `must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`,
    });

/**
 * The one environment schema of every process. Validated before Nest boots (see loadConfig):
 * a bad value stops the process with a message that names the variable.
 */
/**
 * Defaults that depend on other variables (applied in the transform below), as the configuration table shows
 * them. Keep in step with the transform.
 */
export const COMPUTED_DEFAULTS: Record<string, string> = {
  TERRA_DEV_ID: `\`${SANDBOX_DEV_ID}\` when TERRA_API_KEY is unset`,
  TERRA_API_KEY: 'unset: the offline sandbox',
  TERRA_API_URL: `\`${SANDBOX_API_URL}\` without TERRA_API_KEY, else \`https://api.tryterra.co/v2\``,
  TERRA_WIDGET_URL: `\`${SANDBOX_WIDGET_URL}\` without TERRA_API_KEY, else \`https://access.tryterra.co/api/widget/session\``,
  BULL_BOARD_ENABLED: '`true`; `false` when NODE_ENV=production',
  PUBLIC_URL: '`http://127.0.0.1:$PORT`',
  EVENT_SECRETS_KEY: 'a fixed development value; required when NODE_ENV=production',
  EVENT_ENDPOINTS_ALLOW_PRIVATE: '`true`; `false` when NODE_ENV=production',
  BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER: 'none: every provider uses BACKFILL_ON_CONNECT_DAYS',
};

/**
 * Encrypts the endpoints' signing secrets outside production, where no key is configured. Public on purpose:
 * it protects nothing, it only lets development and tests run without one.
 */
export const DEVELOPMENT_EVENT_SECRETS_KEY = 'terra-connections-development-event-secrets-key';

/** true/false/1/0; empty or unset means the default. */
const booleanString = optionalString.pipe(z.enum(['true', 'false', '1', '0']).optional());

/**
 * The one environment schema of every process. Validated before Nest boots (see loadConfig):
 * a bad value stops the process with a message that names the variable. Every variable has a description:
 * the README's configuration table is rendered from them (config-table.ts) and a test keeps the two equal.
 */
export const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'test', 'production'])
      .default('development')
      .describe('`production` requires TERRA_API_KEY and turns Bull Board off by default; `development` pretty-prints logs on a terminal.'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level of every process; `silent` turns logging off entirely.'),

    DATABASE_URL: url(['postgres:', 'postgresql:'])
      .default('postgres://postgres@127.0.0.1:5432/terra_connections')
      .describe('Postgres connection URL (connections, attempts, the webhook inbox, health data).'),
    /** Sized to worker concurrency: an idle pool closing connections together stalls a small box. */
    DATABASE_POOL_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(200)
      .default(10)
      .describe('Postgres pool size of an API process (a worker uses WORKER_CONCURRENCY + 2).'),
    REDIS_URL: url(['redis:', 'rediss:'])
      .default('redis://127.0.0.1:6379')
      .describe('Redis for the BullMQ queue; run it with AOF on and `maxmemory-policy noeviction`.'),
    /** BullMQ key prefix: lets several deployments (or test suites) share one Redis. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('tc')
      .describe('BullMQ key prefix, so several deployments can share one Redis.'),

    TERRA_DEV_ID: optionalString.describe('Terra dev-id; required with TERRA_API_KEY.'),
    TERRA_API_KEY: optionalString.describe('Terra API key. Unset: every Terra call goes to the offline sandbox (apps/terra-sandbox), never to Terra.'),
    TERRA_API_URL: optionalString.pipe(url(['http:', 'https:']).optional()).describe("Base URL of Terra's REST API (the SDK's baseUrl)."),
    TERRA_WIDGET_URL: optionalString
      .pipe(url(['http:', 'https:']).optional())
      .describe("Terra's widget session endpoint."),
    /** Which widget endpoint is tried first: `session` (terra-contract.md §2.1b) or `legacy` (SDK generateWidgetSession). A 410 from either switches to the other. */
    TERRA_WIDGET_MODE: z
      .enum(['session', 'legacy'])
      .default('session')
      .describe('Widget endpoint tried first: `session` (TERRA_WIDGET_URL) or `legacy` (SDK generateWidgetSession); a 410 from one switches to the other.'),
    TERRA_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10).describe('Timeout of one call to Terra, per attempt.'),
    TERRA_MAX_RETRIES: z.coerce
      .number()
      .int()
      .min(0)
      .max(5)
      .default(2)
      .describe("SDK retries of a Terra call (only on 408, 429 and 5xx)."),
    TERRA_WEBHOOK_SECRET: optionalString.describe("Signing secret of Terra's webhook destination; the API refuses to start without it."),
    TERRA_WEBHOOK_SECRET_PREVIOUS: optionalString.describe('The previous signing secret, also accepted during a rotation; unset it once the rotation is done.'),
    TERRA_WEBHOOK_TOLERANCE_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe("Accepted clock skew of a webhook signature's timestamp, both ways."),

    API_KEYS: optionalString.pipe(csv.optional()).describe('Comma-separated bearer keys of internal services for /v1; the API refuses to start without one.'),
    ADMIN_API_KEYS: optionalString
      .pipe(csv.optional())
      .describe('Comma-separated admin keys: /v1/terra-deliveries, /v1/webhook-endpoints, /v1/admin/* and Bull Board (bearer, or HTTP Basic password).'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the API (0 picks a free one).'),
    /** Public base URL of this API, used for its own result pages when callers give no redirect URL. */
    PUBLIC_URL: optionalString
      .pipe(url(['http:', 'https:']).optional())
      .describe("Public base URL of the API, for its own /connect result pages when a caller gives no redirect URL."),
    WEBHOOK_BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/i, 'like 50mb')
      // Backfill chunks reach 10 MB; below 50 MB a legitimate delivery could be refused and retried forever.
      .refine((value) => parseInt(value, 10) * (/mb$/i.test(value) ? 1024 * 1024 : 1024) >= 50 * 1024 * 1024, {
        message: 'must be at least 50mb',
      })
      .default('50mb')
      .describe('Largest accepted webhook body, at least 50mb (Terra backfill chunks reach 10 MB).'),
    /** Bounds the API's memory whatever arrives: bodies beyond it wait for Terra's retry instead of RAM. */
    WEBHOOK_INFLIGHT_BYTES: z
      .string()
      .regex(/^\d+(kb|mb)$/i, 'like 64mb')
      .default('64mb')
      .describe(
        'Webhook body bytes one API process holds at once, over all requests in flight (at least WEBHOOK_BODY_LIMIT); a delivery beyond it gets 503 with Retry-After, before its body is read when its length is declared, and Terra retries.',
      ),
    /** A page is at most 4 MB of items, but one stored item can be tens of MB, held several times over while it is sent. */
    DATA_READ_INFLIGHT_BYTES: z
      .string()
      .regex(/^\d+(kb|mb)$/i, 'like 64mb')
      .default('64mb')
      .describe(
        'Health data payload bytes one API process holds for GET /v1/connections/{id}/data pages at once (at least WEBHOOK_BODY_LIMIT, so any stored item can be read); a read beyond it gets 503 with Retry-After.',
      ),
    /** Postgres' parse of a body costs about 465 bytes per JSON value: bounds what one API process asks of it at once. */
    WEBHOOK_INFLIGHT_VALUES: z.coerce
      .number()
      .int()
      .min(1_000_000)
      .max(100_000_000)
      .default(2_000_000)
      .describe(
        'JSON values of large webhook bodies (over 10,000 values each) one API process sends Postgres at once (at least 1,000,000, the most one body may hold); beyond it 503 with Retry-After, and Terra retries. Postgres needs about 465 bytes per value in flight.',
      ),
    /** Idle sockets cost a file descriptor each and no secret: past the process's fd limit nothing is served. */
    HTTP_MAX_CONNECTIONS: z.coerce
      .number()
      .int()
      .min(16)
      .max(1_000_000)
      .default(4_096)
      .describe(
        "Open connections one API process keeps; newer ones are closed at once. Keep it below the process's open-file limit (ulimit -n), with room for the Postgres and Redis pools.",
      ),
    /** Terra and our callers send their headers at once; a socket that does not is reaped instead of holding a slot of the cap. */
    HTTP_HEADERS_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(60_000)
      .default(10_000)
      .describe('How long a connection may take to send its request headers before it is closed (checked every second), so idle sockets free their place under HTTP_MAX_CONNECTIONS.'),
    /** Terra gives up on a delivery after about 8 s; a body that trickles for longer is an attacker holding a socket. */
    HTTP_REQUEST_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(5_000)
      .max(600_000)
      .default(30_000)
      .describe('How long a connection may take to send a whole request, headers and body, before it gets 408 and is closed (Terra waits about 8 s for an answer; a 50 MB body at 2 MB/s takes 25 s).'),
    BULL_BOARD_ENABLED: booleanString.describe('Serve the Bull Board queue dashboard at /admin/queues (admin key required).'),
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(8_000)
      .describe('On SIGTERM, how long the API waits for requests in flight before closing their connections.'),

    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8).describe('Jobs in flight per worker process.'),
    WORKER_HEALTH_PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(3001)
      .describe("Internal port of a worker's /health/live, /health/ready and /metrics."),
    /** First retry delay of a webhook job; doubles per attempt up to 10 min (libs/queue webhook-job-options.ts). */
    WEBHOOK_RETRY_BASE_DELAY_MS: z.coerce
      .number()
      .int()
      .min(10)
      .max(600_000)
      .default(5_000)
      .describe('First retry delay of a webhook job; doubles per attempt up to 10 min, 16 attempts (over an hour). At least 2000 in production.'),
    /** How often the worker re-enqueues inbox rows whose enqueue was lost (Redis down at ingest). */
    INBOX_SWEEP_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(30_000)
      .describe('How often a worker re-enqueues pending inbox rows whose enqueue was lost (Redis down at ingest).'),
    /** Pending inbox rows younger than this are left to the job the API enqueued. */
    INBOX_SWEEP_GRACE_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(60_000)
      .describe('Age of a pending inbox row before the sweeper re-enqueues it.'),
    /** How often the worker compares Terra's /subscriptions with our connections; 0 turns the schedule off. */
    RECONCILE_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(604_800_000)
      .default(21_600_000)
      .describe(
        "How often a worker compares Terra's /subscriptions with our connections and counts each correction as drift (Terra suggests every 6 h); 0 = only on demand (POST /v1/admin/reconcile).",
      ),
    /** How often the worker re-judges every connection's freshness; 0 turns the schedule off. */
    FRESHNESS_CHECK_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .refine((ms) => ms === 0 || ms >= 100, { message: 'must be 0 (off) or at least 100' })
      .default(900_000)
      .describe(
        'How often a worker re-judges every connection\'s freshness (fresh, stale, unknown); 0 = never. 15 min: a silence is noticed within a quarter hour of its window, at a cost of one pass over the connections.',
      ),
    FRESHNESS_MIN_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(31_536_000_000)
      .default(43_200_000)
      .describe(
        'Floor of a learned freshness window: a type is never overdue sooner. 12 h: a night without a sync is not a fault, however often the provider sends by day.',
      ),
    FRESHNESS_MAX_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(31_536_000_000)
      .default(1_209_600_000)
      .describe('Ceiling of a learned freshness window: silent this long, a type is overdue whatever its rhythm. 14 days: a weekly weigh-in still fits.'),
    FRESHNESS_DEFAULT_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(31_536_000_000)
      .default(259_200_000)
      .describe(
        'Freshness window of a type before it has 5 gaps of history (cloud providers). 72 h: a weekend without a workout (Friday evening to Monday morning) is not a fault; three silent days are.',
      ),
    FRESHNESS_MOBILE_DEFAULT_WINDOW_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(31_536_000_000)
      .default(432_000_000)
      .describe(
        'The same default for mobile-SDK sources (APPLE, SAMSUNG, HEALTH_CONNECT), which sync only when the phone does (app opened, phone unlocked). 120 h.',
      ),
    /**
     * Processed inbox rows older than this are deleted, and with them their dedup keys: this is the dedup
     * window. Terra retries a delivery for about a day, so a shorter window could store a late retry twice.
     */
    WEBHOOK_EVENTS_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3650)
      .refine((days) => days === 0 || days >= 2, { message: 'must be 0 (keep forever) or at least 2 (Terra retries for about a day)' })
      .default(30)
      .describe(
        'Days a processed webhook inbox row (payload and dedup key) is kept after it was applied; also the dedup window. 0 = keep forever. Pending and failed rows are never pruned.',
      ),
    /** How often the worker deletes processed inbox rows past the retention; 0 turns the schedule off. */
    INBOX_PRUNE_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .refine((ms) => ms === 0 || ms >= 100, { message: 'must be 0 (off) or at least 100' })
      .default(3_600_000)
      .describe('How often a worker deletes processed inbox rows older than WEBHOOK_EVENTS_RETENTION_DAYS; 0 = never.'),
    /** Outbound events (the outbox and the feed) older than this are deleted by the same prune job. */
    EVENTS_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(30)
      .describe(
        'Days an outbound event (GET /v1/events, deliveries) is kept; 0 = keep forever. Pruned by the same job as the inbox (INBOX_PRUNE_INTERVAL_MS); never one not yet dispatched or with a delivery still pending.',
      ),
    EVENT_SECRETS_KEY: optionalString
      .pipe(z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)').optional())
      .describe('Key that encrypts the webhook endpoints\' signing secrets at rest (AES-256-GCM). Changing it makes stored secrets unreadable.'),
    EVENT_ENDPOINTS_ALLOW_PRIVATE: booleanString.describe(
      'Let event deliveries reach private and loopback addresses (link-local and metadata addresses are always refused).',
    ),
    EVENT_DISPATCH_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(500)
      .describe('How often a worker turns committed events into delivery jobs (the outbox dispatcher).'),
    EVENT_DELIVERY_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(15_000)
      .describe('Response deadline of one event delivery; a slower endpoint gets a retry.'),
    EVENT_DELIVERY_RETRY_SCALE: z.coerce
      .number()
      .positive()
      .max(1)
      .default(1)
      .describe('Multiplies the delivery retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); tests shrink it.'),
    EVENT_DELIVERY_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(16)
      .describe('Event deliveries one worker sends at a time, all endpoints together.'),
    EVENT_DELIVERY_LOCK_MS: z.coerce
      .number()
      .int()
      .min(500)
      .max(600_000)
      .default(30_000)
      .describe('How soon a delivery whose worker died (its job lock expired) is picked up by another worker.'),
    EVENT_DELIVERY_PER_ENDPOINT: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(4)
      .describe('Of those, at most this many to one endpoint, so a slow endpoint never holds every slot.'),
    BACKFILL_ON_CONNECT_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(1825)
      .default(30)
      .describe('Days of history asked from Terra when a connection becomes active (after a reconnect: only the gap since its last stored data); 0 = off.'),
    BACKFILL_ON_CONNECT_DAYS_BY_PROVIDER: z
      .string()
      .default('')
      .refine((value) => value.trim() === '' || /^\s*[A-Za-z0-9_]+=\d{1,4}\s*(,\s*[A-Za-z0-9_]+=\d{1,4}\s*)*$/.test(value), {
        message: 'must be PROVIDER=days pairs separated by commas, e.g. GARMIN=90,FITBIT=0',
      })
      .transform((value) =>
        Object.fromEntries(
          value
            .split(',')
            .map((pair) => pair.trim())
            .filter((pair) => pair !== '')
            .map((pair) => [pair.split('=')[0].trim().toUpperCase(), Math.min(1825, Number(pair.split('=')[1]))] as const),
        ) as Record<string, number>,
      )
      .describe('Per-provider override of BACKFILL_ON_CONNECT_DAYS, e.g. `GARMIN=90,FITBIT=0`.'),
    BACKFILL_ON_CONNECT_DELAY_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600)
      .default(5)
      .describe(
        "How long an on-connect backfill waits before it is planned. Terra sends a reconnect's auth and user_reauth together, in either order: planned after both, it asks only for the gap since the connection's last stored data, not the whole window.",
      ),
    BACKFILL_DAYS_PER_HOUR: z.coerce
      .number()
      .int()
      .min(1)
      .max(6000)
      .default(6000)
      .describe("Requested days one Terra user may spend per rolling hour (Terra's limit is 6,000); the scheduler waits rather than exceed it."),
    BACKFILL_MAX_DAYS_PER_REQUEST: z.coerce
      .number()
      .int()
      .min(1)
      .max(1825)
      .default(365)
      .describe("Longest range of one data request (Terra's limit is 1,825 days); longer backfills are split."),
    BACKFILL_TICK_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(2000)
      .describe('How often a worker plans new backfills, sends the requests that are due and looks for stalled ones; 0 = never.'),
    BACKFILL_REQUESTS_PER_TICK: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(20)
      .describe('Data requests sent per tick at most, all users together, at most one per user (so one big backfill does not starve the others).'),
    BACKFILL_STALL_SECONDS: z.coerce
      .number()
      .min(0.1)
      .max(7 * 86_400)
      .default(900)
      .describe('Silence after which an answered request whose data has not all arrived is stalled and asked again for the missing part.'),
    BACKFILL_MAX_REREQUESTS: z.coerce
      .number()
      .int()
      .min(0)
      .max(20)
      .default(2)
      .describe('Times a stalled request is asked again before it stays stalled.'),
    BACKFILL_MAX_FAILURES: z.coerce
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .describe('Terra errors (5xx, timeouts) a request survives, with growing waits, before it fails.'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.TERRA_API_KEY) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TERRA_API_KEY'], message: 'is required in production' });
    }
    if (env.NODE_ENV === 'production' && env.WEBHOOK_RETRY_BASE_DELAY_MS < PRODUCTION_MIN_RETRY_BASE_DELAY_MS) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['WEBHOOK_RETRY_BASE_DELAY_MS'],
        message: `must be at least ${PRODUCTION_MIN_RETRY_BASE_DELAY_MS} in production: below it the retries of a webhook job span less than an hour`,
      });
    }
    const readSizes = [env.DATA_READ_INFLIGHT_BYTES, env.WEBHOOK_BODY_LIMIT];
    if (readSizes.every((size) => /^\d+(kb|mb)$/i.test(size)) && parseByteSize(readSizes[0]) < parseByteSize(readSizes[1])) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['DATA_READ_INFLIGHT_BYTES'],
        message: 'must be at least WEBHOOK_BODY_LIMIT, or an item of the largest accepted size could never be read',
      });
    }
    const sizes = [env.WEBHOOK_INFLIGHT_BYTES, env.WEBHOOK_BODY_LIMIT];
    if (sizes.every((size) => /^\d+(kb|mb)$/i.test(size)) && parseByteSize(sizes[0]) < parseByteSize(sizes[1])) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['WEBHOOK_INFLIGHT_BYTES'],
        message: 'must be at least WEBHOOK_BODY_LIMIT, or a delivery of the largest accepted size could never be read',
      });
    }
    if (env.HTTP_HEADERS_TIMEOUT_MS >= env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['HTTP_HEADERS_TIMEOUT_MS'], message: 'must be less than HTTP_REQUEST_TIMEOUT_MS' });
    }
    if (env.NODE_ENV === 'production' && !env.EVENT_SECRETS_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['EVENT_SECRETS_KEY'],
        message: 'is required in production: it encrypts the webhook endpoints\' signing secrets (e.g. `openssl rand -base64 32`)',
      });
    }
    if (env.FRESHNESS_MIN_WINDOW_MS > env.FRESHNESS_MAX_WINDOW_MS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['FRESHNESS_MIN_WINDOW_MS'], message: 'must not exceed FRESHNESS_MAX_WINDOW_MS' });
    }
    if (env.TERRA_API_KEY && !env.TERRA_DEV_ID) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TERRA_DEV_ID'], message: 'is required with TERRA_API_KEY' });
    }
  })
  .transform((env) => {
    // No real key: everything Terra-bound goes to the offline sandbox, never to Terra.
    const sandbox = !env.TERRA_API_KEY;
    return {
      ...env,
      TERRA_SANDBOX: sandbox,
      TERRA_DEV_ID: env.TERRA_DEV_ID ?? SANDBOX_DEV_ID,
      TERRA_API_KEY: env.TERRA_API_KEY ?? SANDBOX_API_KEY,
      TERRA_API_URL: env.TERRA_API_URL ?? (sandbox ? SANDBOX_API_URL : 'https://api.tryterra.co/v2'),
      TERRA_WIDGET_URL:
        env.TERRA_WIDGET_URL ?? (sandbox ? SANDBOX_WIDGET_URL : 'https://access.tryterra.co/api/widget/session'),
      API_KEYS: env.API_KEYS ?? [],
      ADMIN_API_KEYS: env.ADMIN_API_KEYS ?? [],
      // A queue dashboard that can retry and delete jobs is opt-in where it matters.
      BULL_BOARD_ENABLED:
        env.BULL_BOARD_ENABLED === undefined ? env.NODE_ENV !== 'production' : ['true', '1'].includes(env.BULL_BOARD_ENABLED),
      EVENT_SECRETS_KEY: env.EVENT_SECRETS_KEY ?? DEVELOPMENT_EVENT_SECRETS_KEY,
      EVENT_ENDPOINTS_ALLOW_PRIVATE:
        env.EVENT_ENDPOINTS_ALLOW_PRIVATE === undefined
          ? env.NODE_ENV !== 'production'
          : ['true', '1'].includes(env.EVENT_ENDPOINTS_ALLOW_PRIVATE),
    };
  });

export type AppConfig = z.output<typeof envSchema>;
