import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema';

/** Every route of the API, typed from docs/openapi.json: `client.GET('/v1/events', { params: { query } })`. */
export type TerraConnectionsClient = Client<paths>;

export interface TerraConnectionsClientOptions {
  /** Where the API answers, e.g. `http://terra-connections:3000` (no `/v1`). */
  baseUrl: string;
  /** A key from API_KEYS (ADMIN_API_KEYS for the admin routes); sent as `Authorization: Bearer`. */
  apiKey: string;
  /** Another fetch (tests, a proxy agent); the global one by default. */
  fetch?: ClientOptions['fetch'];
}

/**
 * An openapi-fetch client of the API. Calls answer `{ data, error, response }` and never throw for an HTTP
 * status: `data` is the typed 2xx body, `error` the typed `{statusCode, error, message}` of a 4xx/5xx.
 */
export function createTerraConnectionsClient(options: TerraConnectionsClientOptions): TerraConnectionsClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
