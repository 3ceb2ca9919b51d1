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
  /** The bearer key; `null` sends no Authorization header. Defaults to the requester's key. */
  key?: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see ApiResponse
export type ApiRequest = <T = any>(method: string, path: string, options?: RequestOptions) => Promise<ApiResponse<T>>;

/**
 * Requests to the API at `baseUrl` as an internal service sends them (a bearer key, a JSON body), whether the
 * API runs in the test's process or as its own.
 */
export function apiRequester(baseUrl: string, defaultKey: string): ApiRequest {
  return async (method, path, options = {}) => {
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
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed as never };
  };
}
