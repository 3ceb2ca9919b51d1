import type { HealthDataItem } from '@terra-connections/webhook-ingest';
import type { HealthDataItemResponse } from './webhook.responses';

/** `summary_id` and `date` are left out, not sent null, for the types that have none. */
export function toHealthDataItemResponse(item: HealthDataItem): HealthDataItemResponse {
  return {
    type: item.type,
    ...(item.summaryId ? { summary_id: item.summaryId } : {}),
    ...(item.date ? { date: item.date } : {}),
    start_time: item.startTime?.toISOString() ?? null,
    end_time: item.endTime?.toISOString() ?? null,
    updated_at: item.updatedAt.toISOString(),
    payload: item.payload,
  };
}
