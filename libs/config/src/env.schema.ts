import { z } from 'zod';

/** Where the SDK points when no real Terra credentials are configured: our offline sandbox. */
export const SANDBOX_API_URL = 'http://127.0.0.1:3100/v2';
export const SANDBOX_WIDGET_URL = 'http://127.0.0.1:3100/api/widget/session';
export const SANDBOX_DEV_ID = 'sandbox-dev-id';
export const SANDBOX_API_KEY = 'sandbox-api-key';
/** The sandbox signs its webhooks with this unless told otherwise; `npm start` gives the API the same. */
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret';
export const SANDBOX_PORT = 3100;

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
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/terra_connections'),
    /** Sized to worker concurrency: an idle pool closing connections together stalls a small box. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    /** BullMQ key prefix: lets several deployments (or test suites) share one Redis. */
    QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only').default('tc'),

    TERRA_DEV_ID: optionalString,
    TERRA_API_KEY: optionalString,
    TERRA_API_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
    TERRA_WIDGET_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
    /** Which widget endpoint is tried first: `session` (CONTRACT 2.1b) or `legacy` (SDK generateWidgetSession). A 410 from either switches to the other. */
    TERRA_WIDGET_MODE: z.enum(['session', 'legacy']).default('session'),
    TERRA_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
    TERRA_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    TERRA_WEBHOOK_SECRET: optionalString,
    TERRA_WEBHOOK_SECRET_PREVIOUS: optionalString,
    TERRA_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),

    API_KEYS: optionalString.pipe(csv.optional()),
    ADMIN_API_KEYS: optionalString.pipe(csv.optional()),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Public base URL of this API, used for its own result pages when callers give no redirect URL. */
    PUBLIC_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
    WEBHOOK_BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/i, 'like 50mb').default('50mb'),

    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** First retry delay of a webhook job; doubles per attempt up to 10 min (libs/webhooks webhook-job-options.ts). */
    WEBHOOK_RETRY_BASE_DELAY_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
    /** How often the worker re-enqueues inbox rows whose enqueue was lost (Redis down at ingest). */
    INBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Pending inbox rows younger than this are left to the job the API enqueued. */
    INBOX_SWEEP_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** How often the worker compares Terra's /subscriptions with our connections; 0 turns the schedule off. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(604_800_000).default(3_600_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.TERRA_API_KEY) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['TERRA_API_KEY'], message: 'is required in production' });
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
    };
  });

export type AppConfig = z.output<typeof envSchema>;
