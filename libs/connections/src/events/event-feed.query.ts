import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidCursorError } from '../connections.errors';
import { storedEventColumns, type StoredEvent } from './event-envelope';
import { settledEventHorizon } from './event-horizon';

export interface EventFeedFilter {
  types?: readonly string[];
  referenceId?: string;
  connectionId?: string;
}

export interface EventFeedPage {
  items: StoredEvent[];
  /** Always set, on the last page too: the position to resume (tail) from. */
  nextCursor: string;
}

/** How long a feed read waits for event writers in flight (see settledEventHorizon) before it shows nothing new. */
const FEED_WRITER_WAIT_MS = 1_000;

/** A feed position: after event row `id`. Opaque to clients. */
function encodeFeedCursor(id: string): string {
  return Buffer.from(`e${id}`, 'utf8').toString('base64url');
}

function decodeFeedCursor(cursor: string): string {
  const match = /^e(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeFeedCursor(match[1]) !== cursor || BigInt(match[1]) > 9223372036854775807n) throw new InvalidCursorError();
  return match[1];
}

/**
 * The events feed, oldest first, in event id order up to the settled horizon (settledEventHorizon): an
 * event committed later always has a larger id than anything shown, so a consumer that resumes from a
 * cursor never misses one (plain id order without the horizon would: a transaction can draw an id, then
 * commit after a reader moved past it). Only event writers in flight, which hold their lock for their last
 * statements, can delay the feed.
 *
 * next_cursor is returned on every page: past the last item of a full page, else at the horizon (nothing
 * can appear before it any more), so an empty or filtered tail is not rescanned.
 */
@Injectable()
export class EventFeedQuery {
  constructor(private readonly dataSource: DataSource) {}

  async page(filter: EventFeedFilter, page: { limit: number; cursor?: string }): Promise<EventFeedPage> {
    const after = page.cursor ? decodeFeedCursor(page.cursor) : '0';
    const horizon = (await settledEventHorizon(this.dataSource, { waitMs: FEED_WRITER_WAIT_MS })) ?? after;
    if (BigInt(horizon) <= BigInt(after)) return { items: [], nextCursor: encodeFeedCursor(after) };
    const params: unknown[] = [after, horizon];
    const where = [`id > $1::bigint`, `id <= $2::bigint`];
    if (filter.types && filter.types.length > 0) {
      params.push(filter.types);
      where.push(`type = ANY($${params.length}::varchar[])`);
    }
    if (filter.referenceId !== undefined) {
      params.push(filter.referenceId);
      where.push(`reference_id = $${params.length}`);
    }
    if (filter.connectionId !== undefined) {
      params.push(filter.connectionId);
      where.push(`connection_id = $${params.length}::uuid`);
    }
    params.push(page.limit + 1);
    const rows: (StoredEvent & { rowId: string })[] = await this.dataSource.query(
      `SELECT ${storedEventColumns()}, id::text AS "rowId" FROM events WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, page.limit);
    const full = rows.length > page.limit;
    return { items: items.map(strip), nextCursor: encodeFeedCursor(full ? items[items.length - 1].rowId : horizon) };
  }
}

function strip(row: StoredEvent & { rowId: string }): StoredEvent {
  const { rowId: _rowId, ...event } = row;
  return event;
}
