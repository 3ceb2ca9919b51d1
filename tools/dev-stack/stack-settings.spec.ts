import { SANDBOX_PORT, SANDBOX_WEBHOOK_SECRET } from '@terra-connections/config';
import { DevStackError } from './dev-stack.error';
import { DEV_ADMIN_API_KEY, DEV_API_KEY, resolveStackSettings } from './stack-settings';

describe('resolveStackSettings', () => {
  it('gives a bare environment the sandbox, the dev keys and the default ports', () => {
    const settings = resolveStackSettings({});
    expect(settings).toMatchObject({
      sandbox: true,
      apiPort: 3000,
      workerHealthPort: 3001,
      sandboxPort: SANDBOX_PORT,
      apiKeys: DEV_API_KEY,
      adminApiKeys: DEV_ADMIN_API_KEY,
      devKeys: true,
      webhookSecret: SANDBOX_WEBHOOK_SECRET,
    });
    expect(settings.databaseUrl).toBeUndefined();
    expect(settings.redisUrl).toBeUndefined();
  });

  it('keeps what the caller set, and treats blank values as unset', () => {
    const settings = resolveStackSettings({
      API_KEYS: 'mine',
      ADMIN_API_KEYS: 'my-admin',
      PORT: '4000',
      WORKER_HEALTH_PORT: '4001',
      SANDBOX_PORT: '4002',
      DATABASE_URL: ' ',
      REDIS_URL: 'redis://cache:6379',
      TERRA_WEBHOOK_SECRET: 'shh',
    });
    expect(settings).toMatchObject({
      apiKeys: 'mine',
      adminApiKeys: 'my-admin',
      devKeys: false,
      apiPort: 4000,
      workerHealthPort: 4001,
      sandboxPort: 4002,
      webhookSecret: 'shh',
      redisUrl: 'redis://cache:6379',
    });
    expect(settings.databaseUrl).toBeUndefined();
  });

  it('uses the real Terra when TERRA_API_KEY is set, and then needs its webhook secret', () => {
    expect(() => resolveStackSettings({ TERRA_API_KEY: 'k', TERRA_DEV_ID: 'd' })).toThrow(
      /TERRA_API_KEY is set.*set TERRA_WEBHOOK_SECRET/,
    );
    const settings = resolveStackSettings({ TERRA_API_KEY: 'k', TERRA_DEV_ID: 'd', TERRA_WEBHOOK_SECRET: 's' });
    expect(settings.sandbox).toBe(false);
    expect(settings.webhookSecret).toBe('s');
  });

  it('names a bad port and a port given twice', () => {
    expect(() => resolveStackSettings({ PORT: 'http' })).toThrow(new DevStackError('PORT must be a port number between 1 and 65535, not "http".'));
    expect(() => resolveStackSettings({ WORKER_HEALTH_PORT: '0' })).toThrow(/WORKER_HEALTH_PORT must be a port number/);
    expect(() => resolveStackSettings({ PORT: '3100' })).toThrow('PORT and SANDBOX_PORT are both 3100');
    // Without the sandbox its port is free for the API.
    expect(resolveStackSettings({ PORT: '3100', TERRA_API_KEY: 'k', TERRA_WEBHOOK_SECRET: 's' }).apiPort).toBe(3100);
  });
});
