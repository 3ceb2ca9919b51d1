import { QueryFailedError } from 'typeorm';
import { describeFailure, isPermanentFailure } from './failure-classifier';
import { PermanentEventError } from './permanent-event.error';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const wrapped = (code: string) => new QueryFailedError('SELECT 1', [], pgError(code));

describe('failure classification', () => {
  it('treats unusable payloads as permanent', () => {
    expect(isPermanentFailure(new PermanentEventError('no user'))).toBe(true);
    expect(isPermanentFailure(wrapped('22P02'))).toBe(true);
    expect(isPermanentFailure(wrapped('23502'))).toBe(true);
  });

  it('retries connection problems, deadlocks, serialization failures and anything unknown', () => {
    expect(isPermanentFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isPermanentFailure(wrapped('40P01'))).toBe(false);
    expect(isPermanentFailure(wrapped('40001'))).toBe(false);
    expect(isPermanentFailure(wrapped('23505'))).toBe(false);
    expect(isPermanentFailure(new Error('Connection terminated unexpectedly'))).toBe(false);
  });

  it('records the SQLSTATE with the message', () => {
    expect(describeFailure(wrapped('40P01'))).toContain('[40P01]');
  });

  it('never echoes payload values quoted by Postgres for data and integrity errors', () => {
    const error = new QueryFailedError('INSERT ...', [], Object.assign(new Error('date/time field value out of range: "2026-02-30"'), { code: '22008' }));
    expect(describeFailure(error)).toBe('[22008] QueryFailedError: date/time field value out of range: "…"');
    const unique = new QueryFailedError('INSERT ...', [], Object.assign(new Error('duplicate key value violates unique constraint "uq_x"'), { code: '23505' }));
    expect(describeFailure(unique)).toContain('constraint "uq_x"');
  });
});
