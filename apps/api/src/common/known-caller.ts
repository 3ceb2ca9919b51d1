import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '@terra-connections/config';
import { digest, matchesAny } from './api-key.guard';

type ExpressRequest = IncomingMessage & { is(type: string): string | false | null };

/**
 * body-parser `type` functions that parse a body only for a caller whose bearer key is one of ours (service or
 * admin). Parsers run before Nest's guards, so without this anyone could make the API read, inflate and parse
 * 1 MB bodies (and answer their malformed gzip or JSON) before the key check says 401. The guard still decides
 * which key may call which route; an unparsed body is simply never looked at.
 */
export function parseBodiesOfKnownCallers(config: Pick<AppConfig, 'API_KEYS' | 'ADMIN_API_KEYS'>) {
  const keys = [...config.API_KEYS, ...config.ADMIN_API_KEYS].map(digest);
  const known = (req: IncomingMessage): boolean => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return match !== null && matchesAny(match[1], keys);
  };
  return {
    json: (req: IncomingMessage) => Boolean((req as ExpressRequest).is('application/json')) && known(req),
    urlencoded: (req: IncomingMessage) => Boolean((req as ExpressRequest).is('application/x-www-form-urlencoded')) && known(req),
  };
}
