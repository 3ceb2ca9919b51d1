/**
 * Everything that must never reach a log line. pino removes these paths before serialising; request and
 * response bodies are never logged at all (pino-http does not log bodies, and we add no serializer that would).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["terra-signature"]',
  'req.headers["x-terra-signature"]',
  'req.headers["x-api-key"]',
  'req.headers["dev-id"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.password',
  '*.payload',
  '*.data',
  '*.body',
];

/** Query parameters that can carry a credential (none do today; kept so a future one is not logged by default). */
const SENSITIVE_QUERY = /([?&](?:token|key|api_key|secret)=)[^&]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SENSITIVE_QUERY, '$1[Redacted]');
}
