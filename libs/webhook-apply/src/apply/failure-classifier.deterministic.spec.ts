import { QueryFailedError } from 'typeorm';
import { isPermanentFailure } from './failure-classifier';

const pgError = (code: string) => new QueryFailedError('SELECT 1', [], Object.assign(new Error(`pg ${code}`), { code }));

/** issue 12: an error the same payload throws again on every retry is permanent, not an hour of retries. */
describe('failure classification of errors that repeat', () => {
  it('fails at once on JS errors our code throws on the payload, and on Postgres program limits', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    let overflow: unknown;
    try {
      JSON.stringify(deep);
    } catch (error) {
      overflow = error;
    }
    expect(overflow).toBeInstanceOf(RangeError);
    expect(isPermanentFailure(overflow)).toBe(true);
    expect(isPermanentFailure(new TypeError("Cannot read properties of undefined (reading 'map')"))).toBe(true);
    expect(isPermanentFailure(new SyntaxError('Unexpected token'))).toBe(true);
    expect(isPermanentFailure(pgError('54001'))).toBe(true);
    expect(isPermanentFailure(pgError('54000'))).toBe(true);
  });

  it('still retries what a later attempt can get past', () => {
    expect(isPermanentFailure(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isPermanentFailure(pgError('57P01'))).toBe(false);
    expect(isPermanentFailure(pgError('53300'))).toBe(false);
  });
});
