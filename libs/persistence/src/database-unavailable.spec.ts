import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('recognises a pool without a free connection, a refused or dropped socket, and a server going away', () => {
    for (const error of [
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('sorry, too many clients already', '53300'),
    ]) {
      expect({ message: error.message, unavailable: isDatabaseUnavailable(error) }).toEqual({ message: error.message, unavailable: true });
    }
  });

  it('leaves Postgres answering a query with an error, and anything else, to the caller', () => {
    for (const error of [withCode('duplicate key value violates unique constraint', '23505'), withCode('lock timeout', '55P03'), new Error('boom'), 'text']) {
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
  });
});
