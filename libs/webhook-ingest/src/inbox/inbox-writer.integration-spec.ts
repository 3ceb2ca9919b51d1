import { createHash, randomUUID } from 'node:crypto';
import { describeTerraEvent } from '@terra-connections/terra';
import { createTestDatabase, listAllTerraFixtures, loadTerraFixture, type TestDatabase } from '@terra-connections/testing';
import { InboxWriter, NOT_AN_EVENT_MESSAGE } from './inbox-writer';

/**
 * The inbox INSERT reads the envelope in Postgres (issue 12: the API no longer parses a body). It must store
 * what describeTerraEvent, the API's reading before, made of the same body, and refuse what it refused.
 */
describe('InboxWriter: the envelope read by Postgres', () => {
  let db: TestDatabase;
  let writer: InboxWriter;

  beforeAll(async () => {
    db = await createTestDatabase('inbox_writer');
    writer = new InboxWriter(db.dataSource);
  });

  afterAll(() => db?.drop());

  const record = (body: string) => writer.record({ rawBody: Buffer.from(body, 'utf8'), traceId: randomUUID(), signatureTimestampSeconds: Math.floor(Date.now() / 1000) });
  const stored = async (id: string) =>
    (await db.dataSource.query(`SELECT type, terra_user_id AS "terraUserId", reference_id AS "referenceId", payload FROM webhook_events WHERE id = $1`, [id]))[0];

  const edgeCases: unknown[] = [
    { type: 'user_reauth', new_user: { user_id: 'new', reference_id: 'ref-new' }, old_user: { user_id: 'old' }, user: { user_id: 'not-this' } },
    { type: 'user_reauth', old_user: { user_id: 'old' } },
    { type: 'auth', user: { user_id: 42, reference_id: ['x'] }, reference_id: 7 },
    { type: 'auth', user: { user_id: '', reference_id: '' }, reference_id: '' },
    { type: 'auth', user: ['user_id'], reference_id: 'top' },
    { type: 'auth', user: 'u', reference_id: null },
    { type: 'deauth', user: { user_id: 'u', reference_id: 'from-user' } },
    { type: 'activity', reference_id: 'top', user: { user_id: 'u', reference_id: 'from-user' } },
    { type: 'x'.repeat(100), user: { user_id: 'é'.repeat(64), reference_id: 'r'.repeat(255) } },
    { type: 'daily', user: { user_id: 'ünï\u2028cødé "quoted" \\ back' }, type_again: 1 },
  ];
  const fixtures = listAllTerraFixtures().map((name) => loadTerraFixture(name).raw).filter((raw) => describeTerraEvent(JSON.parse(raw)));
  const bodies = [...fixtures, ...edgeCases.map((body) => JSON.stringify(body))];

  it.each(bodies.map((body, i) => [i, body]))('stores body %i with the envelope describeTerraEvent reads', async (_i, body) => {
    const envelope = describeTerraEvent(JSON.parse(body))!;
    const row = await stored((await record(body)).id);
    expect({ type: row.type, terraUserId: row.terraUserId, referenceId: row.referenceId }).toEqual({
      type: [...envelope.type].slice(0, 64).join(''),
      terraUserId: envelope.terraUserId && [...envelope.terraUserId].slice(0, 64).join(''),
      referenceId: envelope.referenceId && [...envelope.referenceId].slice(0, 255).join(''),
    });
    expect(row.payload).toEqual(JSON.parse(body));
  });

  const tooLong = [
    JSON.stringify({ type: 'auth', user: { user_id: 'é'.repeat(65) } }),
    JSON.stringify({ type: 'auth', reference_id: 'r'.repeat(256), user: { user_id: 'u' } }),
    JSON.stringify({ type: 'auth', user: { user_id: 'u', reference_id: 'r'.repeat(256) } }),
    JSON.stringify({ type: 'auth', user: { user_id: 'u', provider: 'P'.repeat(65) } }),
    JSON.stringify({ type: 'user_reauth', new_user: { user_id: 'n', provider: 'P'.repeat(65) }, old_user: { user_id: 'o' } }),
    JSON.stringify({ type: 'user_reauth', new_user: { user_id: 'n' }, old_user: { user_id: 'o'.repeat(65) } }),
    JSON.stringify({ type: 'user_reauth', new_user: { user_id: 'n' }, old_user: { user_id: 'o', provider: 'P'.repeat(65) } }),
    JSON.stringify({ type: 'user_reauth', new_user: { user_id: 'n' }, old_user: { user_id: 'o', reference_id: 'r'.repeat(256) } }),
    JSON.stringify({ type: 'auth_cancelled', provider: 'P'.repeat(65), reference_id: 'r' }),
  ];
  it.each([['[1,2]'], ['"auth"'], ['null'], ['{"status":"success"}'], ['{"type":""}'], ['{"type":7}'], ['{"type":null}'], ...tooLong.map((body) => [body])])(
    'refuses %s, which is JSON but no event a connection can hold, and stores nothing',
    async (body) => {
      if (!tooLong.includes(body)) expect(describeTerraEvent(JSON.parse(body))).toBeNull();
      const before = await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`);
      await expect(record(body)).rejects.toThrow(NOT_AN_EVENT_MESSAGE);
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`)).toEqual(before);
    },
  );

  it('refuses bytes that are not UTF-8, or hold a NUL byte, as Postgres errors of class 22 (the receiver answers 400)', async () => {
    const latin1 = Buffer.from('{"type":"auth","name":"caf\xe9"}', 'latin1');
    await expect(writer.record({ rawBody: latin1, signatureTimestampSeconds: 1 })).rejects.toMatchObject({ code: '22021' });
    const nulByte = Buffer.from('{"type":"auth","name":"a\u0000b"}', 'utf8');
    await expect(writer.record({ rawBody: nulByte, signatureTimestampSeconds: 1 })).rejects.toMatchObject({ code: '22021' });
    await expect(writer.record({ rawBody: Buffer.from('{"type": "auth",'), signatureTimestampSeconds: 1 })).rejects.toMatchObject({ code: '22P02' });
  });

  it('refuses a number beyond the range of a double, anywhere in the body, with SQLSTATE 22036 (the receiver answers 400)', async () => {
    const before = await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`);
    for (const number of ['1e131071', '-1e131071', '1e-16383', '1e309', '-1e-400', '1' + '0'.repeat(100_000)]) {
      const body = `{"type":"activity","user":{"user_id":"x"},"data":[{"samples":[{"v":1},{"v":[${number}]}]}]}`;
      await expect(record(body)).rejects.toMatchObject({ code: '22036' });
    }
    // Beyond numeric's own range: refused by the parse itself.
    await expect(record('{"type":"activity","pad":[1e200000]}')).rejects.toMatchObject({ code: '22003' });
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`)).toEqual(before);
  });

  it('refuses more than 1000 doubles outside [1e-21, 1e21) in magnitude, each printed back in full, with SQLSTATE 2203C', async () => {
    const outliers = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? '-1e300' : '5e-324'));
    await expect(record(`{"type":"activity","pad":[${outliers(1001).join(',')}]}`)).rejects.toMatchObject({ code: '2203C' });
    const { id } = await record(`{"type":"activity","pad":[${outliers(1000).join(',')}]}`);
    expect(await stored(id)).toMatchObject({ type: 'activity' });
  });

  it('stores every number a double holds, as written, and prints the ones inside the window back no longer than 4x their spelling', async () => {
    const numbers = ['0', '0.0', '-0.5', '1e20', '-9.99e20', '1e-21', '-1e-21', '5e-7', '1.7976931348623157e20', '0.' + '1'.repeat(16_000)];
    const body = `{"type":"activity","n":[${numbers.join(',')}]}`;
    const { id } = await record(body);
    const [{ printed }] = await db.dataSource.query(`SELECT payload -> 'n' AS printed FROM webhook_events WHERE id = $1`, [id]);
    expect(printed).toEqual(numbers.map(Number));
    const [{ length }] = await db.dataSource.query(`SELECT length(payload::text) AS length FROM webhook_events WHERE id = $1`, [id]);
    expect(length).toBeLessThan(body.length + 4 * numbers.slice(0, -1).join(',').length);
    const edges = await record('{"type":"activity","n":[5e-324,-1.7976931348623157e308,1e-300]}');
    expect((await stored(edges.id)).payload.n).toEqual([5e-324, -1.7976931348623157e308, 1e-300]);
  });

  it('keys a delivery without a trace id by the SHA-256 of its bytes, whether handed over as a Buffer or a string', async () => {
    const body = JSON.stringify({ type: 'healthcheck', status: 'success', note: 'naïve ☃', n: randomUUID() });
    const first = await writer.record({ rawBody: Buffer.from(body, 'utf8'), signatureTimestampSeconds: 1 });
    const again = await writer.record({ rawBody: body, signatureTimestampSeconds: 1 });
    expect({ first: first.inserted, again: again.inserted, sameRow: again.id === first.id }).toEqual({ first: true, again: false, sameRow: true });
    const [row] = await db.dataSource.query(`SELECT dedup_key FROM webhook_events WHERE id = $1`, [first.id]);
    expect(row.dedup_key).toBe(createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'));
    expect(again.type).toBe('healthcheck');
  });
});
