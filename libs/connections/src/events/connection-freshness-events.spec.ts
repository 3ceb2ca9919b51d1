import type { FreshnessChange } from '../state/connection-change';
import { pendingEventsOf } from './connection-events';

const at = new Date('2026-11-05T10:00:00Z');
const move = (from: FreshnessChange['from'], to: FreshnessChange['to'], extra: Partial<FreshnessChange> = {}): FreshnessChange => ({
  connectionId: '6f1d2c3b-8a4e-8f01-9b2c-3d4e5f6a7b8c',
  terraUserId: 'u-1',
  from,
  to,
  at,
  staleSince: null,
  lastDataAt: new Date('2026-11-01T07:00:00Z'),
  ...extra,
});
const eventsOf = (moves: FreshnessChange[]) => pendingEventsOf([], [], [], [], moves);

describe('freshness events', () => {
  it('going stale is connection.stale, with the overdue types', () => {
    const overdueTypes = [{ type: 'sleep', last_received_at: '2026-11-01T07:00:00Z', window_ms: 129_600_000 }];
    expect(eventsOf([move('fresh', 'stale', { overdueTypes })])).toEqual([
      {
        type: 'connection.stale',
        terraUserId: 'u-1',
        connectionId: '6f1d2c3b-8a4e-8f01-9b2c-3d4e5f6a7b8c',
        occurredAt: at,
        referenceId: null,
        provider: null,
        details: { previous_freshness: 'fresh', last_data_at: '2026-11-01T07:00:00.000Z', overdue_types: overdueTypes },
      },
    ]);
  });

  it('stale back to fresh is connection.fresh, naming the data type that ended the silence', () => {
    const [event] = eventsOf([move('stale', 'fresh', { staleSince: new Date('2026-11-03T00:00:00Z'), dataType: 'daily' })]);
    expect(event).toMatchObject({
      type: 'connection.fresh',
      details: { stale_since: '2026-11-03T00:00:00.000Z', last_data_at: '2026-11-01T07:00:00.000Z', data_type: 'daily' },
    });
  });

  it('moves to or from unknown are no event', () => {
    expect(eventsOf([move('unknown', 'fresh'), move('fresh', 'unknown'), move('stale', 'unknown')])).toEqual([]);
  });
});
