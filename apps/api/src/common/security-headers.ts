import helmet from 'helmet';

/**
 * helmet's header hardening for every route Express serves (no X-Powered-By, nosniff, frame-ancestors, a CSP,
 * ...), with the two changes the API's own pages need: Swagger UI at /docs loads its scripts and styles from
 * 'self' but also uses inline styles; and no upgrade-insecure-requests, which would send a plain-HTTP
 * deployment's (or a laptop's) /docs assets to https. HSTS belongs to whatever terminates TLS in front of us.
 * The /connect result pages set their own, stricter CSP on the response, which wins.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'style-src': ["'self'", "'unsafe-inline'"],
        'upgrade-insecure-requests': null,
      },
    },
    strictTransportSecurity: false,
  });
}
