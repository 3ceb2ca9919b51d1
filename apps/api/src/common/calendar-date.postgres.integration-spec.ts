import fc from 'fast-check';
import { Client } from 'pg';
import { TEST_PG_ADMIN_URL } from '@terra-connections/testing';
import { isCalendarDateOrDateTime } from './calendar-date.validator';

/**
 * issue 12: `from`/`to` values our validator accepts reach Postgres as ::date or ::timestamptz (HealthDataQuery).
 * Whatever it accepts, Postgres must accept too, or the client gets a 500 for input we called valid. Generated
 * close to the edges: offsets up to ±23:59, hours and minutes past their ranges, any day of any month.
 */
describe('isCalendarDateOrDateTime accepts only what Postgres accepts', () => {
  let pg: Client;

  beforeAll(async () => {
    pg = new Client({ connectionString: TEST_PG_ADMIN_URL });
    await pg.connect();
  });

  afterAll(() => pg?.end());

  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const day = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')), two(13), two(32)).map((p) => p.join('-'));
  const time = fc.tuple(two(25), two(61), fc.option(two(61)), fc.option(fc.integer({ min: 0, max: 999_999_999 }))).map(([h, m, s, f]) => `${h}:${m}${s === null ? '' : `:${s}${f === null ? '' : `.${f}`}`}`);
  const offset = fc.oneof(fc.constant(''), fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(23), fc.constantFrom(':', ''), two(59)).map((p) => p.join('')));
  const value = fc.oneof(day, fc.tuple(day, time, offset).map(([d, t, o]) => `${d}T${t}${o}`));

  it('never passes a value Postgres refuses', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (text) => {
        if (!isCalendarDateOrDateTime(text)) return;
        const cast = /^\d{4}-\d{2}-\d{2}$/.test(text) ? 'date' : 'timestamptz';
        await pg.query(`SELECT $1::${cast}`, [text]).catch((error: Error) => {
          throw new Error(`validator accepted ${text}, Postgres refused it: ${error.message}`);
        });
      }),
      { numRuns: 600 },
    );
  });

  it('accepts every day Postgres accepts, years 0001-0099 included (Date.UTC once read them as 19xx)', async () => {
    await fc.assert(
      fc.asyncProperty(day, async (text) => {
        const postgres = await pg.query(`SELECT $1::date`, [text]).then(
          () => true,
          () => false,
        );
        expect({ text, ok: isCalendarDateOrDateTime(text) }).toEqual({ text, ok: postgres });
      }),
      { numRuns: 600 },
    );
    for (const text of ['0050-06-15', '0001-01-01', '0099-12-31T23:59:59Z']) expect({ text, ok: isCalendarDateOrDateTime(text) }).toEqual({ text, ok: true });
    expect(isCalendarDateOrDateTime('0000-01-01')).toBe(false);
    expect(isCalendarDateOrDateTime('0050-02-29')).toBe(false);
  });

  it('still accepts the usual forms', () => {
    for (const text of ['2026-11-01', '2026-11-01T07:30:15.123456Z', '2026-03-30T00:00:00+01:00', '2026-01-01T00:00:00-15:59']) {
      expect({ text, ok: isCalendarDateOrDateTime(text) }).toEqual({ text, ok: true });
    }
    expect(isCalendarDateOrDateTime('2026-01-01T00:00:00+16:00')).toBe(false);
  });
});
