import { z } from 'zod';
import {
  SANDBOX_API_KEY,
  SANDBOX_DEV_ID,
  SANDBOX_PORT,
  SANDBOX_WEBHOOK_SECRET,
} from '@terra-connections/config';

/** Injection token for the validated sandbox configuration. */
export const SANDBOX_CONFIG = Symbol('SANDBOX_CONFIG');

const optionalUrl = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
  .pipe(z.string().url().optional());

/**
 * The sandbox is its own deployable, so it has its own small schema instead of the product's: it must
 * boot without a database, Redis or any product setting.
 */
export const sandboxEnvSchema = z
  .object({
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(SANDBOX_PORT),
    SANDBOX_DEV_ID: z.string().min(1).default(SANDBOX_DEV_ID),
    SANDBOX_API_KEY: z.string().min(1).default(SANDBOX_API_KEY),
    SANDBOX_WEBHOOK_URL: z.string().url().default('http://127.0.0.1:3000/webhooks/terra'),
    SANDBOX_WEBHOOK_SECRET: z.string().min(1).default(SANDBOX_WEBHOOK_SECRET),
    /** Base of the widget and auth URLs handed out; unset = http://127.0.0.1:<the port actually bound>. */
    SANDBOX_PUBLIC_URL: optionalUrl,
    /** Multiplies every webhook retry delay and the deauth delay: 0.001 turns Terra's 30 s into 30 ms. */
    SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1000).default(1),
    SANDBOX_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(8000),
    /** How many deliveries (and REST requests) the control endpoints remember; older ones are dropped. */
    /** Terra's per-user budget of requested days per rolling hour (the hour scaled by SANDBOX_TIME_SCALE). */
    SANDBOX_RATE_DAYS_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(6000),
    SANDBOX_LOG_LIMIT: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  })
  .transform((env) => ({ ...env, SANDBOX_PUBLIC_URL: env.SANDBOX_PUBLIC_URL?.replace(/\/+$/, '') }));

export type SandboxConfig = z.output<typeof sandboxEnvSchema>;

export class SandboxConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid sandbox configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SandboxConfigError';
  }
}

/** Parses the environment; throws a SandboxConfigError naming every bad variable. */
export function loadSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const result = sandboxEnvSchema.safeParse(env);
  if (!result.success) {
    throw new SandboxConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return result.data;
}
