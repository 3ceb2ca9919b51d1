import { ConnectionStatus } from '@terra-connections/persistence';
import type { Connection } from '@terra-connections/connections';
import { toPageResponse } from '../../common/page.response';
import { toConnectStartedResponse, toMobileTokenResponse } from './connect-attempt.mapper';
import { toConnectionResponse } from './connection.mapper';

// Clients may compare bodies as text: these pin the bytes, field order included.
describe('connection wire mapping', () => {
  const row: Connection & { seq: string } = {
    seq: '7',
    connectionId: '6f1d2c3b-8a4e-8f01-9b2c-3d4e5f6a7b8c',
    terraUserId: 'u-1',
    terraUserIds: ['u-0', 'u-1'],
    referenceId: 'person-1',
    provider: 'FITBIT',
    status: ConnectionStatus.Active,
    scopes: ['activity', 'sleep'],
    connectedAt: new Date('2026-01-02T03:04:05.678Z'),
    disconnectedAt: null,
    lastWebhookAt: new Date('2026-01-03T00:00:00.000Z'),
    lastSyncAt: null,
    statusReason: null,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    updatedAt: new Date('2026-01-04T00:00:00.000Z'),
    freshness: 'stale',
    lastDataAt: new Date('2026-01-02T12:00:00.000Z'),
    staleSince: new Date('2026-01-04T00:00:00.000Z'),
  };

  it('writes a connection in snake_case, ISO timestamps or null, in the documented order (not the listing key)', () => {
    expect(JSON.stringify(toConnectionResponse(row))).toBe(
      '{"connection_id":"6f1d2c3b-8a4e-8f01-9b2c-3d4e5f6a7b8c","terra_user_id":"u-1","terra_user_ids":["u-0","u-1"],"reference_id":"person-1","provider":"FITBIT","status":"active",' +
        '"scopes":["activity","sleep"],"connected_at":"2026-01-02T03:04:05.678Z","disconnected_at":null,' +
        '"last_webhook_at":"2026-01-03T00:00:00.000Z","last_sync_at":null,"status_reason":null,' +
        '"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-04T00:00:00.000Z","freshness":"stale","last_data_at":"2026-01-02T12:00:00.000Z"}',
    );
  });

  it('writes a page as data and next_cursor', () => {
    const page = toPageResponse({ items: [row], nextCursor: 'Nw' }, toConnectionResponse);
    expect(Object.keys(page)).toEqual(['data', 'next_cursor']);
    expect(page).toEqual({ data: [toConnectionResponse(row)], next_cursor: 'Nw' });
    expect(JSON.stringify(toPageResponse({ items: [], nextCursor: null }, toConnectionResponse))).toBe('{"data":[],"next_cursor":null}');
  });

  it('writes the direct and widget answers of POST /v1/connections, warnings only when there are some', () => {
    const direct = toConnectStartedResponse({ type: 'direct', url: 'https://p/login', terraUserId: 'u-2', referenceId: 'person-1', provider: 'OURA' });
    expect(JSON.stringify(direct)).toBe(
      '{"type":"direct","url":"https://p/login","terra_user_id":"u-2","reference_id":"person-1","provider":"OURA"}',
    );
    const widget = {
      type: 'widget' as const,
      url: 'https://w/s',
      sessionId: 's-1',
      expiresAt: new Date('2026-01-01T00:15:00.000Z'),
      referenceId: 'person-1',
    };
    expect(JSON.stringify(toConnectStartedResponse({ ...widget, warnings: [] }))).toBe(
      '{"type":"widget","url":"https://w/s","session_id":"s-1","expires_at":"2026-01-01T00:15:00.000Z","reference_id":"person-1"}',
    );
    expect(JSON.stringify(toConnectStartedResponse({ ...widget, warnings: ['MYSTERY is unknown'] }))).toBe(
      '{"type":"widget","url":"https://w/s","session_id":"s-1","expires_at":"2026-01-01T00:15:00.000Z","reference_id":"person-1",' +
        '"warnings":["MYSTERY is unknown"]}',
    );
  });

  it('writes a mobile token with its lifetime in seconds', () => {
    expect(JSON.stringify(toMobileTokenResponse({ token: 't0k', expiresIn: 180 }))).toBe('{"token":"t0k","expires_in":180}');
  });
});
