import { ConnectionStatus } from '@terra-connections/persistence';
import { pendingEventsOf } from './connection-events';
import { EVENT_CATALOGUE, eventDataSchema, eventEnvelopeSchema } from './event-payloads';
import { EVENT_TYPES } from './event-types';

describe('the event catalogue (payload schemas)', () => {
  it('has an entry for every event type, and nothing else', () => {
    expect(Object.keys(EVENT_CATALOGUE).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES)('%s: its example is a valid data payload, with the connection fields first', (type) => {
    const attached = EVENT_CATALOGUE[type].attached;
    const data = {
      connection_id: attached ? '6f1d2c3b-8a4e-4f01-9b2c-3d4e5f6a7b8c' : null,
      terra_user_id: 'u1',
      reference_id: 'person',
      provider: 'OURA',
      sequence: attached ? 3 : null,
      ...EVENT_CATALOGUE[type].example,
    };
    expect(eventEnvelopeSchema(type).safeParse({ id: 'evt_1', type, timestamp: '2026-11-05T10:00:01.000Z', data }).error).toBeUndefined();
    expect(eventDataSchema(type).safeParse({ ...data, sequence: attached ? null : 3 }).success).toBe(false);
  });

  it('accepts what the producers write (the own fields of each event of a transaction)', () => {
    const at = new Date('2026-11-05T10:00:00Z');
    const cause = { kind: 'webhook', eventId: 'e1', eventType: 'deauth' } as const;
    const events = pendingEventsOf(
      [
        { connectionId: 'c1', terraUserId: 'u1', from: null, to: ConnectionStatus.Active, cause, at, reason: null, scopes: { before: null, after: ['a'] } },
        { connectionId: 'c2', terraUserId: 'u2', from: ConnectionStatus.Active, to: ConnectionStatus.Disconnected, cause, at, reason: 'deauth' },
      ],
      [{ terraUserId: null, referenceId: 'p', provider: 'OURA', reason: 'user_denied', cancelled: false, attemptId: null, at }],
      [{ terraUserId: 'u1', provider: 'OURA', referenceId: 'p', dataType: 'daily', dates: ['2026-11-04'], summaryIds: [], count: 1, skipped: 0, at }],
    );
    expect(events.map((event) => event.type)).toEqual(['connection.connected', 'connection.disconnected', 'connection.attempt_failed', 'data.received']);
    for (const event of events) {
      expect({ type: event.type, error: EVENT_CATALOGUE[event.type].details.safeParse(event.details).error }).toEqual({ type: event.type, error: undefined });
    }
  });
});
