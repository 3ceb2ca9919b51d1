import { WebhookEventStatus } from '@terra-connections/persistence';
import type { HealthDataItem, WebhookEventSummary } from '@terra-connections/webhook-ingest';
import { toPageResponse } from '../../common/page.response';
import { toHealthDataItemResponse } from './health-data.mapper';
import { toReplayFailedResponse, toReplayResultResponse, toWebhookEventResponse } from './webhook-event.mapper';
import { toWebhookReceiptResponse } from './webhook-receipt.mapper';

// Clients may compare bodies as text: these pin the bytes, field order included.
describe('webhook wire mapping', () => {
  it('writes a health data item, without summary_id or date when the type has none', () => {
    const item: HealthDataItem = {
      type: 'sleep',
      summaryId: 'sum-1',
      date: null,
      startTime: new Date('2026-01-01T22:00:00.000Z'),
      endTime: null,
      updatedAt: new Date('2026-01-02T07:00:00.000Z'),
      payload: { score: 80 },
    };
    expect(JSON.stringify(toHealthDataItemResponse(item))).toBe(
      '{"type":"sleep","summary_id":"sum-1","start_time":"2026-01-01T22:00:00.000Z","end_time":null,' +
        '"updated_at":"2026-01-02T07:00:00.000Z","payload":{"score":80}}',
    );
    const daily = { ...item, type: 'daily', summaryId: null, date: '2026-01-01', startTime: null };
    expect(JSON.stringify(toHealthDataItemResponse(daily))).toBe(
      '{"type":"daily","date":"2026-01-01","start_time":null,"end_time":null,"updated_at":"2026-01-02T07:00:00.000Z","payload":{"score":80}}',
    );
  });

  it('writes a webhook event summary and its page', () => {
    const event: WebhookEventSummary = {
      id: '1042',
      type: 'activity',
      terraUserId: null,
      status: WebhookEventStatus.Failed,
      attempts: 16,
      duplicateCount: 2,
      lastError: 'boom',
      receivedAt: new Date('2026-01-01T00:00:00.000Z'),
      eventAt: new Date('2026-01-01T00:00:01.000Z'),
      processedAt: null,
    };
    expect(JSON.stringify(toPageResponse({ items: [event], nextCursor: null }, toWebhookEventResponse))).toBe(
      '{"data":[{"id":"1042","type":"activity","terra_user_id":null,"status":"failed","attempts":16,"duplicate_count":2,' +
        '"last_error":"boom","received_at":"2026-01-01T00:00:00.000Z","event_at":"2026-01-01T00:00:01.000Z","processed_at":null}],' +
        '"next_cursor":null}',
    );
  });

  it('writes the replay answers and the webhook receipt', () => {
    expect(JSON.stringify(toReplayResultResponse({ eventId: '9', status: WebhookEventStatus.Pending, enqueued: false }))).toBe(
      '{"id":"9","status":"pending","enqueued":false}',
    );
    expect(JSON.stringify(toReplayFailedResponse({ replayed: 3, enqueued: 2 }))).toBe('{"replayed":3,"enqueued":2}');
    expect(JSON.stringify(toWebhookReceiptResponse({ status: 'duplicate', eventId: '9', enqueued: false }))).toBe(
      '{"status":"duplicate","event_id":"9"}',
    );
  });
});
