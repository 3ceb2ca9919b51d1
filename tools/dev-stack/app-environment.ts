import { SANDBOX_API_KEY, SANDBOX_DEV_ID } from '@terra-connections/config';
import { given, type StackSettings } from './stack-settings';

export interface InfraUrls {
  databaseUrl: string;
  redisUrl: string;
}

export interface AppEnvironments {
  api: NodeJS.ProcessEnv;
  worker: NodeJS.ProcessEnv;
  /** Absent when TERRA_API_KEY is set: the real Terra is used and no sandbox runs. */
  sandbox?: NodeJS.ProcessEnv;
}

/**
 * The environment of each child. What the caller set wins; the rest gets dev defaults that make the
 * three processes agree with each other (same webhook secret, the API's webhook URL, the sandbox's port).
 */
export function appEnvironments(env: NodeJS.ProcessEnv, settings: StackSettings, infra: InfraUrls): AppEnvironments {
  const apiBase = `http://127.0.0.1:${settings.apiPort}`;
  const sandboxBase = `http://127.0.0.1:${settings.sandboxPort}`;
  const shared: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: given(env, 'NODE_ENV') ?? 'development',
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    API_KEYS: settings.apiKeys,
    ADMIN_API_KEYS: settings.adminApiKeys,
    TERRA_WEBHOOK_SECRET: settings.webhookSecret,
    PORT: String(settings.apiPort),
    WORKER_HEALTH_PORT: String(settings.workerHealthPort),
    PUBLIC_URL: given(env, 'PUBLIC_URL') ?? apiBase,
  };
  if (!settings.sandbox) return { api: shared, worker: shared };

  const pointedAtSandbox: NodeJS.ProcessEnv = {
    ...shared,
    // Set even on the default port, so a SANDBOX_PORT change can never leave the SDK calling a stale port.
    TERRA_API_URL: given(env, 'TERRA_API_URL') ?? `${sandboxBase}/v2`,
    TERRA_WIDGET_URL: given(env, 'TERRA_WIDGET_URL') ?? `${sandboxBase}/api/widget/session`,
  };
  return {
    api: pointedAtSandbox,
    worker: pointedAtSandbox,
    sandbox: {
      ...env,
      NODE_ENV: given(env, 'NODE_ENV') ?? 'development',
      SANDBOX_PORT: String(settings.sandboxPort),
      SANDBOX_WEBHOOK_URL: given(env, 'SANDBOX_WEBHOOK_URL') ?? `${apiBase}/webhooks/terra`,
      SANDBOX_WEBHOOK_SECRET: settings.webhookSecret,
      // The API sends TERRA_DEV_ID when set (the config falls back to the sandbox's id), so the sandbox must expect it.
      SANDBOX_DEV_ID: given(env, 'TERRA_DEV_ID') ?? SANDBOX_DEV_ID,
      SANDBOX_API_KEY,
    },
  };
}
