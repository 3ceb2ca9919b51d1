import type { NextFunction, Request, Response } from 'express';
import { digest, matchesAny } from '../common/api-key.guard';

const REALM = 'terra-connections admin';

/** The key an admin presented: the password of HTTP Basic (any user name; what browsers can send) or a bearer key. */
function presentedKey(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Guards the Bull Board dashboard with ADMIN_API_KEYS. A 401 carries a Basic challenge so a browser asks
 * for the key (as the password). Express middleware, since Bull Board is an Express router, not a controller.
 */
export function adminAuthMiddleware(adminKeys: readonly string[]) {
  const keys = adminKeys.map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = presentedKey(req.headers.authorization);
    if (key && keys.length > 0 && matchesAny(key, keys)) return next();
    res
      .status(401)
      .set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`)
      .json({ statusCode: 401, error: 'Unauthorized', message: 'The queue dashboard needs an admin API key (HTTP Basic password or Bearer)' });
  };
}
