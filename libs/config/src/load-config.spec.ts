import { loadConfig } from './load-config';

describe('loadConfig', () => {
  const production = { NODE_ENV: 'production', TERRA_API_KEY: 'key', TERRA_DEV_ID: 'dev' };

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
});
