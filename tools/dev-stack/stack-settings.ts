import { SANDBOX_PORT, SANDBOX_WEBHOOK_SECRET } from '@terra-connections/config';
import { DevStackError } from './dev-stack.error';

export const DEV_API_KEY = 'dev-key';
export const DEV_ADMIN_API_KEY = 'dev-admin-key';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/terra_connections';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_API_PORT = 3000;
export const DEFAULT_WORKER_HEALTH_PORT = 3001;

/** What `npm start` runs with, decided from the environment before anything starts. */
export interface StackSettings {
  /** No TERRA_API_KEY: Terra is the local sandbox app, started alongside the API. */
  sandbox: boolean;
  apiPort: number;
  workerHealthPort: number;
  sandboxPort: number;
  apiKeys: string;
  adminApiKeys: string;
  /** True when the keys are our printed dev defaults (and so safe to show in the banner). */
  devKeys: boolean;
  webhookSecret: string;
  databaseUrl?: string;
  redisUrl?: string;
}

/** A variable counts as given only when it has a non-blank value (`FOO= npm start` means "unset"). */
export function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    throw new DevStackError(`${name} must be a port number between 1 and 65535, not "${raw}".`);
  }
  return value;
}

export function resolveStackSettings(env: NodeJS.ProcessEnv): StackSettings {
  const sandbox = given(env, 'TERRA_API_KEY') === undefined;
  const webhookSecret = given(env, 'TERRA_WEBHOOK_SECRET') ?? (sandbox ? SANDBOX_WEBHOOK_SECRET : undefined);
  if (webhookSecret === undefined) {
    throw new DevStackError(
      'TERRA_API_KEY is set, so webhooks come from the real Terra: set TERRA_WEBHOOK_SECRET to the signing secret from your Terra dashboard (or unset TERRA_API_KEY to use the local sandbox).',
    );
  }
  const apiKeys = given(env, 'API_KEYS');
  const adminApiKeys = given(env, 'ADMIN_API_KEYS');
  const settings: StackSettings = {
    sandbox,
    apiPort: port(env, 'PORT', DEFAULT_API_PORT),
    workerHealthPort: port(env, 'WORKER_HEALTH_PORT', DEFAULT_WORKER_HEALTH_PORT),
    sandboxPort: port(env, 'SANDBOX_PORT', SANDBOX_PORT),
    apiKeys: apiKeys ?? DEV_API_KEY,
    adminApiKeys: adminApiKeys ?? DEV_ADMIN_API_KEY,
    devKeys: apiKeys === undefined,
    webhookSecret,
    databaseUrl: given(env, 'DATABASE_URL'),
    redisUrl: given(env, 'REDIS_URL'),
  };
  assertDistinctPorts(settings);
  return settings;
}

function assertDistinctPorts(settings: StackSettings): void {
  const ports: [string, number][] = [
    ['PORT', settings.apiPort],
    ['WORKER_HEALTH_PORT', settings.workerHealthPort],
    ...(settings.sandbox ? [['SANDBOX_PORT', settings.sandboxPort] as [string, number]] : []),
  ];
  for (const [name, value] of ports) {
    const clash = ports.find(([other, otherValue]) => other !== name && otherValue === value);
    if (clash) throw new DevStackError(`${name} and ${clash[0]} are both ${value}: give each process its own port.`);
  }
}
