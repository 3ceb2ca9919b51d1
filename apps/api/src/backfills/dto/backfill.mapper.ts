import type { Backfill } from '@terra-connections/connections';
import type { BackfillResponse } from './backfill.responses';

export function toBackfillResponse(backfill: Backfill): BackfillResponse {
  return {
    id: backfill.id,
    connection_id: backfill.connectionId,
    terra_user_id: backfill.terraUserId,
    provider: backfill.provider,
    trigger: backfill.trigger,
    status: backfill.status,
    start_date: backfill.startDate,
    end_date: backfill.endDate,
    types: backfill.types,
    message: backfill.message,
    progress: backfill.progress.map((p) => ({
      type: p.type,
      status: p.status,
      requests_made: p.requestsMade,
      chunks_received: p.chunksReceived,
      chunks_expected: p.chunksExpected,
      dates_stored: p.datesStored,
      reason: p.reason,
      next_action_at: p.nextActionAt?.toISOString() ?? null,
    })),
    created_at: backfill.createdAt.toISOString(),
    updated_at: backfill.updatedAt.toISOString(),
    finished_at: backfill.finishedAt?.toISOString() ?? null,
  };
}
