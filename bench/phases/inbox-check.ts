import type { BenchDatabase } from '../infra/bench-database';
import type { AcceptedEvent } from '../load/load-generator';

export interface InboxCheck {
  accepted: number;
  /** Accepted (200 "accepted") but no inbox row with that id. */
  missing: number;
  /** The same event id answered "accepted" twice. */
  answeredTwice: number;
}

/** Every delivery the API acknowledged must be in the inbox: a 200 that lost its row is a lost event. */
export async function checkInbox(db: BenchDatabase, events: AcceptedEvent[]): Promise<InboxCheck> {
  const ids = events.map((event) => event.eventId);
  const distinct = new Set(ids).size;
  const row = await db.one<{ missing: number }>(
    `SELECT count(*)::int AS missing FROM unnest($1::bigint[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM webhook_events w WHERE w.id = a.id)`,
    [ids],
  );
  return { accepted: ids.length, missing: row.missing, answeredTwice: ids.length - distinct };
}
