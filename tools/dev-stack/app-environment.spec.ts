import { loadConfig, SANDBOX_API_KEY, SANDBOX_DEV_ID, SANDBOX_WEBHOOK_SECRET } from '@terra-connections/config';
import { appEnvironments } from './app-environment';
import { resolveStackSettings } from './stack-settings';

const infra = { databaseUrl: 'postgres://postgres@127.0.0.1:5999/terra_connections', redisUrl: 'redis://127.0.0.1:6999' };

describe('appEnvironments', () => {
  it('wires API, worker and sandbox to each other in sandbox mode', () => {
    const env = { PORT: '4000', WORKER_HEALTH_PORT: '4001', SANDBOX_PORT: '4002', PATH: '/usr/bin' };
    const { api, worker, sandbox } = appEnvironments(env, resolveStackSettings(env), infra);

    expect(sandbox).toMatchObject({
      SANDBOX_PORT: '4002',
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:4000/webhooks/terra',
      SANDBOX_WEBHOOK_SECRET,
      SANDBOX_DEV_ID,
      SANDBOX_API_KEY,
      PATH: '/usr/bin',
    });
    expect(worker).toEqual(api);
    // The real config schema accepts it and points the SDK at the sandbox's port, with the same secret.
    const config = loadConfig(api);
    expect(config).toMatchObject({
      TERRA_SANDBOX: true,
      TERRA_API_URL: 'http://127.0.0.1:4002/v2',
      TERRA_WIDGET_URL: 'http://127.0.0.1:4002/api/widget/session',
      TERRA_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
      TERRA_DEV_ID: SANDBOX_DEV_ID,
      TERRA_API_KEY: SANDBOX_API_KEY,
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      API_KEYS: ['dev-key'],
      ADMIN_API_KEYS: ['dev-admin-key'],
      PORT: 4000,
      WORKER_HEALTH_PORT: 4001,
      PUBLIC_URL: 'http://127.0.0.1:4000',
      NODE_ENV: 'development',
    });
  });

  it("lets the caller's own values win", () => {
    const env = {
      NODE_ENV: 'test',
      TERRA_DEV_ID: 'my-dev-id',
      TERRA_WEBHOOK_SECRET: 'my-secret',
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      TERRA_API_URL: 'http://127.0.0.1:8/v2',
      PUBLIC_URL: 'https://connections.example.test',
    };
    const { api, sandbox } = appEnvironments(env, resolveStackSettings(env), infra);
    expect(api).toMatchObject({ NODE_ENV: 'test', TERRA_API_URL: 'http://127.0.0.1:8/v2', PUBLIC_URL: 'https://connections.example.test' });
    expect(sandbox).toMatchObject({ SANDBOX_DEV_ID: 'my-dev-id', SANDBOX_WEBHOOK_SECRET: 'my-secret', SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
  });

  it('runs no sandbox and leaves Terra URLs alone when TERRA_API_KEY is set', () => {
    const env = { TERRA_API_KEY: 'k', TERRA_DEV_ID: 'd', TERRA_WEBHOOK_SECRET: 's' };
    const { api, sandbox } = appEnvironments(env, resolveStackSettings(env), infra);
    expect(sandbox).toBeUndefined();
    expect(api.TERRA_API_URL).toBeUndefined();
    expect(loadConfig(api)).toMatchObject({ TERRA_SANDBOX: false, TERRA_API_URL: 'https://api.tryterra.co/v2' });
  });
});
