import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@terra-connections/config';
import { apiRequester, TEST_API_KEY, testEnv, type ApiRequest, type FakeTerraServer, type TestDatabase } from '@terra-connections/testing';
import { createApiApp } from '../bootstrap';

export interface ApiUnderTest {
  app: INestApplication;
  url: string;
  request: ApiRequest;
  close(): Promise<void>;
}

/**
 * Test-only (kept out of dist by tsconfig.build.json): the real API (createApiApp, the real module graph) on an
 * ephemeral port, and a fetch helper.
 */
export async function startApi(env: NodeJS.ProcessEnv, defaultKey: string): Promise<ApiUnderTest> {
  const app = await createApiApp(loadConfig(env));
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    url,
    request: apiRequester(url, defaultKey),
    close: () => app.close(),
  };
}

/** The real API on a suite's database, reaching Terra through the real SDK at a FakeTerraServer; fails fast. */
export function startApiAgainstFakeTerra(
  db: TestDatabase,
  fake: FakeTerraServer,
  overrides: Record<string, string> = {},
): Promise<ApiUnderTest> {
  return startApi(
    testEnv({
      DATABASE_URL: db.url,
      TERRA_API_URL: fake.baseUrl,
      TERRA_WIDGET_URL: fake.widgetUrl,
      TERRA_DEV_ID: 'd',
      TERRA_API_KEY: 'k',
      TERRA_TIMEOUT_SECONDS: '1',
      TERRA_MAX_RETRIES: '0',
      ...overrides,
    }),
    TEST_API_KEY,
  );
}
