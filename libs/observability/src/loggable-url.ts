import { REDACTED } from './log-redaction';

/**
 * Query parameters whose values the access log may show: ours, and none carries a person or a credential.
 * Everything else (reference_id: our customers' user ids; user_id and resource on the result pages; any
 * parameter a caller invents) is logged as `[Redacted]`, name and value, so a new parameter is private until
 * it is added here.
 */
const LOGGED_QUERY_PARAMS = new Set(['limit', 'cursor', 'status', 'type', 'from', 'to', 'provider', 'refresh']);

/** The request URL as the access log shows it: the path, and only allowlisted query parameters. */
export function loggableUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((param) => {
      const name = param.split('=', 1)[0];
      return LOGGED_QUERY_PARAMS.has(name) ? param : REDACTED;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}
