import { REDACTED } from './log-redaction';

/**
 * Query parameters whose values the access log may show: ours, and none carries a person or a credential.
 * Everything else (reference_id: our customers' user ids; user_id and resource on the result pages; any
 * parameter a caller invents) is logged as `[Redacted]`, name and value, so a new parameter is private until
 * it is added here.
 */
const LOGGED_QUERY_PARAMS = new Set(['limit', 'cursor', 'status', 'type', 'from', 'to', 'provider', 'refresh']);

/** Longest logged query parameter (`name=value`, still encoded); a longer one is cut and marked. */
export const LOGGED_PARAM_MAX = 200;

/** Longest logged path: ours are far shorter; an 8 KB `/v1/connections/<junk>` is refused, not copied into the log whole. */
export const LOGGED_PATH_MAX = 256;

const boundedPath = (path: string) => (path.length > LOGGED_PATH_MAX ? `${path.slice(0, LOGGED_PATH_MAX)}...[cut]` : path);

/** The request URL as the access log shows it: the path (bounded), and only allowlisted query parameters, each bounded. */
export function loggableUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  if (query === -1) return boundedPath(url);
  const params = url
    .slice(query + 1)
    .split('&')
    .map((param) => {
      const name = param.split('=', 1)[0];
      if (!LOGGED_QUERY_PARAMS.has(name)) return REDACTED;
      // A cursor is opaque and short; an 8,000-character `limit=` is a client's mistake or an attack, and would
      // be copied into every log line it causes.
      return param.length > LOGGED_PARAM_MAX ? `${param.slice(0, LOGGED_PARAM_MAX)}...[cut]` : param;
    });
  return `${boundedPath(url.slice(0, query))}?${params.join('&')}`;
}
