import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@terra-connections/config';
import { TEST_API_KEY, testEnv, type FakeTerraServer, type TestDatabase } from '@terra-connections/testing';
import { createApiApp } from '../bootstrap';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test bodies are asserted field by field
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  raw?: string;
  contentType?: string;
  /** The bearer key; `null` sends no Authorization header. Defaults to the harness key. */
  key?: string | null;
}

export interface ApiUnderTest {
  app: INestApplication;
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see ApiResponse
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
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
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {};
      const key = options.key === undefined ? defaultKey : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] = 'application/json';
      } else if (options.raw !== undefined) {
        body = options.raw;
        if (options.contentType) headers['content-type'] = options.contentType;
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, text, body: parsed as never };
    },
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
