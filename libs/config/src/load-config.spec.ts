import { loadConfig } from './load-config';

describe('loadConfig', () => {
  const production = { NODE_ENV: 'production', TERRA_API_KEY: 'key', TERRA_DEV_ID: 'dev', EVENT_SECRETS_KEY: 'k'.repeat(32) };

  it('turns Bull Board on by default, except in production', () => {
    expect(loadConfig({}).BULL_BOARD_ENABLED).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).BULL_BOARD_ENABLED).toBe(true);
    expect(loadConfig(production).BULL_BOARD_ENABLED).toBe(false);
    expect(loadConfig({ ...production, BULL_BOARD_ENABLED: 'true' }).BULL_BOARD_ENABLED).toBe(true);
    expect(loadConfig({ BULL_BOARD_ENABLED: 'false' }).BULL_BOARD_ENABLED).toBe(false);
    expect(loadConfig({ ...production, BULL_BOARD_ENABLED: '' }).BULL_BOARD_ENABLED).toBe(false);
  });

  it('names a bad BULL_BOARD_ENABLED or SHUTDOWN_TIMEOUT_MS', () => {
    expect(() => loadConfig({ BULL_BOARD_ENABLED: 'yes' })).toThrow(/BULL_BOARD_ENABLED/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
    expect(loadConfig({}).SHUTDOWN_TIMEOUT_MS).toBe(8_000);
  });

  it('names the variable of every bad value, and refuses a webhook body limit under 50 MB', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ WEBHOOK_BODY_LIMIT: '1kb' })).toThrow(/WEBHOOK_BODY_LIMIT must be at least 50mb/);
    expect(() => loadConfig({ WEBHOOK_BODY_LIMIT: '10mb' })).toThrow(/WEBHOOK_BODY_LIMIT/);
    expect(loadConfig({ WEBHOOK_BODY_LIMIT: '64mb' }).WEBHOOK_BODY_LIMIT).toBe('64mb');
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TERRA_API_KEY is required in production/);
  });

  it('requires EVENT_SECRETS_KEY in production with a clear message; a fixed development key elsewhere', () => {
    const { EVENT_SECRETS_KEY: _key, ...withoutKey } = production;
    expect(() => loadConfig(withoutKey)).toThrow(/EVENT_SECRETS_KEY is required in production/);
    expect(() => loadConfig({ ...production, EVENT_SECRETS_KEY: 'short' })).toThrow(/EVENT_SECRETS_KEY must be at least 32 characters/);
    expect(loadConfig({}).EVENT_SECRETS_KEY).toEqual(expect.any(String));
    expect(loadConfig({}).EVENT_ENDPOINTS_ALLOW_PRIVATE).toBe(true);
    expect(loadConfig(production).EVENT_ENDPOINTS_ALLOW_PRIVATE).toBe(false);
  });

  it('refuses, in production only, a retry base delay that would give up on a webhook within the hour', () => {
    expect(() => loadConfig({ ...production, WEBHOOK_RETRY_BASE_DELAY_MS: '1999' })).toThrow(/WEBHOOK_RETRY_BASE_DELAY_MS must be at least 2000 in production/);
    expect(loadConfig({ ...production, WEBHOOK_RETRY_BASE_DELAY_MS: '2000' }).WEBHOOK_RETRY_BASE_DELAY_MS).toBe(2000);
    expect(loadConfig({ WEBHOOK_RETRY_BASE_DELAY_MS: '200' }).WEBHOOK_RETRY_BASE_DELAY_MS).toBe(200);
  });

  it('keeps processed inbox rows 30 days by default, and refuses a retention shorter than Terra\'s retries', () => {
    expect(loadConfig({})).toMatchObject({ WEBHOOK_EVENTS_RETENTION_DAYS: 30, INBOX_PRUNE_INTERVAL_MS: 3_600_000 });
    expect(loadConfig({ WEBHOOK_EVENTS_RETENTION_DAYS: '0', INBOX_PRUNE_INTERVAL_MS: '0' })).toMatchObject({
      WEBHOOK_EVENTS_RETENTION_DAYS: 0,
      INBOX_PRUNE_INTERVAL_MS: 0,
    });
    expect(loadConfig({ WEBHOOK_EVENTS_RETENTION_DAYS: '2' }).WEBHOOK_EVENTS_RETENTION_DAYS).toBe(2);
    expect(() => loadConfig({ WEBHOOK_EVENTS_RETENTION_DAYS: '1' })).toThrow(/WEBHOOK_EVENTS_RETENTION_DAYS must be 0 \(keep forever\) or at least 2/);
    expect(() => loadConfig({ INBOX_PRUNE_INTERVAL_MS: '10' })).toThrow(/INBOX_PRUNE_INTERVAL_MS/);
  });

  it('points Terra at the sandbox, never at Terra, when no API key is set', () => {
    const config = loadConfig({});
    expect(config.TERRA_SANDBOX).toBe(true);
    expect(config.TERRA_API_URL).toBe('http://127.0.0.1:3100/v2');
    expect(loadConfig({ TERRA_API_KEY: 'k', TERRA_DEV_ID: 'd' }).TERRA_API_URL).toBe('https://api.tryterra.co/v2');
  });
});
