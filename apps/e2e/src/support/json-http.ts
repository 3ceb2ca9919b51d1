export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** One JSON request; the body is parsed when there is one (an HTML or empty answer comes back as text). */
export async function requestJson<T>(
  url: string,
  { method = 'GET', body, headers = {} }: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the caller sees the text and the status
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
