import { PROVIDERS } from './provider-catalogue';

describe('ProviderCatalogue', () => {
  it('lists 150+ unique providers including the well-known ones', () => {
    expect(PROVIDERS.all.length).toBeGreaterThanOrEqual(150);
    expect(new Set(PROVIDERS.all.map((p) => p.provider)).size).toBe(PROVIDERS.all.length);
    for (const name of ['GARMIN', 'FITBIT', 'OURA', 'WHOOP', 'POLAR', 'SUUNTO', 'COROS', 'WAHOO', 'WITHINGS', 'GOOGLE',
      'DEXCOM', 'FREESTYLELIBRE', 'STRAVA', 'MYFITNESSPAL', 'CRONOMETER', 'OMRON', 'APPLE', 'SAMSUNG', 'HEALTH_CONNECT']) {
      expect(PROVIDERS.get(name)?.enabled).toBe(true);
    }
  });

  it('marks the mobile SDK sources and some disabled providers', () => {
    expect(PROVIDERS.all.filter((p) => p.sdk).map((p) => p.provider).sort()).toEqual(['APPLE', 'HEALTH_CONNECT', 'SAMSUNG']);
    expect(PROVIDERS.get('jawbone')?.enabled).toBe(false);
    expect(PROVIDERS.get('MYFITNESSPAL')?.types).toMatchObject({ nutrition: true, activity: false });
  });
});
