import { TERRA_EVENT_TYPES, TerraEventType } from '../webhooks/terra-event-type';
import { parseTerraEvent, TerraEventParseError } from './parse-terra-event';

const user = (extra: Record<string, unknown> = {}) => ({
  user_id: 'u-1',
  provider: 'GARMIN',
  reference_id: 'person-1',
  scopes: 'activity, sleep,activity',
  last_webhook_update: null,
  active: true,
  ...extra,
});

const parseError = (type: string, payload: unknown): string => {
  try {
    parseTerraEvent(type, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(TerraEventParseError);
    return (error as Error).message;
  }
  throw new Error(`${type} payload parsed`);
};

describe('parseTerraEvent', () => {
  describe('auth', () => {
    it('success: the user reduced to id, provider, reference and parsed scopes; the session and reference kept', () => {
      expect(
        parseTerraEvent('auth', { type: 'auth', status: 'success', user: user(), reference_id: 'ref-top', widget_session_id: 'ws-1', version: '2022-03-16' }),
      ).toEqual({
        kind: 'auth_success',
        user: { userId: 'u-1', provider: 'GARMIN', referenceId: 'person-1', scopes: ['activity', 'sleep'] },
        referenceId: 'ref-top',
        widgetSessionId: 'ws-1',
      });
    });

    it('success: empty or non-string optional fields are null, and a user without scopes says nothing about them', () => {
      const event = parseTerraEvent('auth', {
        type: 'auth',
        status: 'success',
        user: { user_id: 'u-2', provider: '', reference_id: 42 },
        reference_id: '',
        widget_session_id: null,
      });
      expect(event).toEqual({
        kind: 'auth_success',
        user: { userId: 'u-2', provider: null, referenceId: null, scopes: null },
        referenceId: null,
        widgetSessionId: null,
      });
    });

    it('error: the provisional user (optional), reason, message, provider and session', () => {
      expect(
        parseTerraEvent('auth', {
          type: 'auth',
          status: 'error',
          user: user(),
          provider: 'FITBIT',
          message: 'User cancelled',
          reason: 'auth_cancelled',
          reference_id: 'ref-e',
          widget_session_id: 'ws-e',
        }),
      ).toMatchObject({ kind: 'auth_error', user: { userId: 'u-1' }, provider: 'FITBIT', reason: 'auth_cancelled', message: 'User cancelled', referenceId: 'ref-e', widgetSessionId: 'ws-e', flowId: null });
      expect(parseTerraEvent('auth', { type: 'auth', status: 'error', user: { provider: 'X' } })).toMatchObject({ kind: 'auth_error', user: null });
      expect(parseTerraEvent('auth', { type: 'auth', status: 'error' })).toMatchObject({ kind: 'auth_error', user: null, reason: null });
    });

    it('the 2026 auth_cancelled: no user, a flow id, whatever its status', () => {
      expect(parseTerraEvent('auth_cancelled', { type: 'auth_cancelled', status: 'error', flow_id: 'flow-1', reason: 'user_cancelled', reference_id: 'r' })).toEqual({
        kind: 'auth_cancelled',
        user: null,
        provider: null,
        referenceId: 'r',
        reason: 'user_cancelled',
        message: null,
        widgetSessionId: null,
        flowId: 'flow-1',
      });
      expect(parseTerraEvent('auth_cancelled', { status: 'success' })).toMatchObject({ kind: 'auth_cancelled' });
    });

    it('fails an auth whose status is neither success nor error, and a success without its user', () => {
      expect(parseError('auth', { type: 'auth', status: 'pending', user: user() })).toBe('auth event with a status other than success or error');
      expect(parseError('auth', { type: 'auth', user: user() })).toBe('auth event with a status other than success or error');
      expect(parseError('auth', { type: 'auth', status: 'success', user: { provider: 'GARMIN' } })).toBe('auth event without user.user_id');
    });
  });

  describe('user status events', () => {
    it.each(['deauth', 'access_revoked', 'connection_error'] as const)('%s: the user and Terra\'s message (null when absent)', (type) => {
      expect(parseTerraEvent(type, { type, status: 'warning', message: 'Degraded', user: user() })).toEqual({
        kind: type,
        user: { userId: 'u-1', provider: 'GARMIN', referenceId: 'person-1', scopes: ['activity', 'sleep'] },
        message: 'Degraded',
      });
      expect(parseTerraEvent(type, { type, message: null, user: user() })).toMatchObject({ message: null });
    });

    it.each([
      ['no user', { type: 'deauth', message: null }],
      ['a null user', { type: 'deauth', user: null }],
      ['an empty user id', { type: 'deauth', user: user({ user_id: '' }) }],
      ['a numeric user id', { type: 'deauth', user: user({ user_id: 7 }) }],
      ['a user that is a string', { type: 'deauth', user: 'u-1' }],
    ])('fails a deauth with %s', (_case, payload) => {
      expect(parseError('deauth', payload)).toBe('deauth event without user.user_id');
    });

    it('fails a payload that is not an object', () => {
      for (const payload of [null, [], 'deauth', 3]) expect(parseError('deauth', payload)).toBe('deauth event is not a JSON object');
      expect(parseError('auth', [])).toBe('auth event is not a JSON object');
    });
  });

  it('user_reauth: old_user may be null or unusable; new_user is required', () => {
    expect(parseTerraEvent('user_reauth', { old_user: user({ user_id: 'old' }), new_user: user({ user_id: 'new' }) })).toMatchObject({
      kind: 'user_reauth',
      oldUser: { userId: 'old' },
      newUser: { userId: 'new' },
    });
    expect(parseTerraEvent('user_reauth', { old_user: null, new_user: user() })).toMatchObject({ oldUser: null });
    expect(parseTerraEvent('user_reauth', { old_user: {}, new_user: user() })).toMatchObject({ oldUser: null });
    expect(parseError('user_reauth', { old_user: user(), new_user: null })).toBe('user_reauth event without new_user.user_id');
  });

  it('permission_change: the new full scope set; no scopes string means nothing to change, "" means none', () => {
    expect(parseTerraEvent('permission_change', { user: user({ scopes: 'x, y,z' }), scopes_added: 'z' })).toMatchObject({
      kind: 'permission_change',
      user: { scopes: ['x', 'y', 'z'] },
    });
    expect(parseTerraEvent('permission_change', { user: user({ scopes: undefined }) })).toMatchObject({ user: { scopes: null } });
    expect(parseTerraEvent('permission_change', { user: user({ scopes: '' }) })).toMatchObject({ user: { scopes: [] } });
  });

  describe('data events', () => {
    it.each(['activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation'] as const)('%s: items kept as sent, keyless ones included', (type) => {
      const items = [{ metadata: { start_time: '2026-03-30T00:00:00+01:00' }, x: 1 }, { no: 'metadata' }, 'odd'];
      expect(parseTerraEvent(type, { type, user: user(), version: '2022-03-16', data: items })).toEqual({
        kind: 'data',
        type,
        user: expect.objectContaining({ userId: 'u-1' }),
        data: items,
      });
      expect((parseTerraEvent(type, { user: user(), data: items }) as { data: unknown[] }).data[0]).toBe(items[0]);
    });

    it('an empty data array is valid', () => {
      expect(parseTerraEvent('sleep', { user: user(), data: [] })).toMatchObject({ kind: 'data', data: [] });
    });

    it('fails a data event without a data array, naming a missing user first', () => {
      expect(parseError('daily', { user: user() })).toBe('daily event without a data array');
      expect(parseError('daily', { user: user(), data: { 0: {} } })).toBe('daily event without a data array');
      expect(parseError('daily', { data: 'x' })).toBe('daily event without user.user_id');
    });

    it('athlete: one object, not an array, taken as sent', () => {
      const sent = { first_name: 'A', extra: { deep: [1] } };
      expect((parseTerraEvent('athlete', { user: user(), athlete: sent }) as { athlete: unknown }).athlete).toBe(sent);
      expect(parseTerraEvent('athlete', { user: user(), athlete: { first_name: 'A' } })).toEqual({
        kind: 'athlete',
        type: 'athlete',
        user: expect.objectContaining({ userId: 'u-1' }),
        athlete: { first_name: 'A' },
      });
      expect(parseError('athlete', { user: user(), athlete: [{}] })).toBe('athlete event without an athlete object');
      expect(parseError('athlete', { user: user(), data: [{}] })).toBe('athlete event without an athlete object');
      expect(parseError('athlete', { user: user(), athlete: null })).toBe('athlete event without an athlete object');
    });
  });

  it('everything else is informational, whatever its payload: known types, future types, odd names', () => {
    const informational = [
      TerraEventType.Healthcheck,
      TerraEventType.Processing,
      TerraEventType.GoogleNoDatasource,
      TerraEventType.S3Payload,
      'lab_report.completed',
      'hormone',
      'constructor',
      '__proto__',
    ];
    for (const type of informational) {
      expect(parseTerraEvent(type, null)).toEqual({ kind: 'informational', type });
    }
  });

  it('gives every type the worker acts on a member of its own (only the informational ones fall through)', () => {
    const acted = TERRA_EVENT_TYPES.filter((type) => parseKind(type) !== 'informational');
    expect(acted.sort()).toEqual(
      ['auth', 'auth_cancelled', 'deauth', 'user_reauth', 'access_revoked', 'connection_error', 'permission_change',
        'activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation', 'athlete',
        'large_request_processing', 'large_request_sending', 'rate_limit_hit'].sort(),
    );
  });

  it('reads the backfill markers, and never fails one whatever its payload', () => {
    expect(parseTerraEvent('large_request_sending', { user: user(), reference: 'ref-1', expected_payloads: 4, message: 'sending' })).toMatchObject({
      kind: 'backfill_marker',
      type: 'large_request_sending',
      reference: 'ref-1',
      expectedPayloads: 4,
    });
    expect(
      parseTerraEvent('rate_limit_hit', { user: user(), start_date: '2026-01-01', end_date: '2026-02-01', retrying_at: '2026-12-03T07:00:00Z' }),
    ).toMatchObject({ kind: 'backfill_marker', startDate: '2026-01-01', retryingAt: new Date('2026-12-03T07:00:00Z') });
    for (const payload of [null, 'x', [], { expected_payloads: 'many', user: 12 }]) {
      expect(parseTerraEvent('large_request_processing', payload)).toMatchObject({ kind: 'backfill_marker', reference: null, user: null });
    }
  });

  it('never quotes a payload value in its error, whatever it is sent (seeded random payloads)', () => {
    const secret = 'SECRET-7f3a';
    const values: unknown[] = [secret, '', null, 0, 12, true, [], [secret], { user_id: secret }, { nested: secret }, undefined];
    let seed = 20260101;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const pick = <T>(list: readonly T[]): T => list[next() % list.length];
    const fields = ['type', 'status', 'user', 'new_user', 'old_user', 'data', 'athlete', 'message', 'reason', 'reference_id'];
    const types = [...TERRA_EVENT_TYPES, 'lab_report.completed'];
    for (let run = 0; run < 2_000; run++) {
      const payload: Record<string, unknown> = {};
      for (const field of fields) if (next() % 2) payload[field] = pick(values);
      if (next() % 3 === 0) payload.user = { ...user(), [pick(['user_id', 'provider', 'scopes'])]: pick(values) };
      const type = pick(types);
      try {
        parseTerraEvent(type, next() % 10 === 0 ? pick(values) : payload);
      } catch (error) {
        expect(error).toBeInstanceOf(TerraEventParseError);
        expect((error as Error).message).not.toContain(secret);
        expect((error as Error).message.startsWith(`${type} event `)).toBe(true);
      }
    }
  });
});

function parseKind(type: string): string {
  try {
    return parseTerraEvent(type, {}).kind;
  } catch {
    return 'acted on';
  }
}
