import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidCursorError } from '../connections.errors';
import { storedEventColumns, type StoredEvent } from './event-envelope';

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

/** A feed position: after row (txId, id). */
interface FeedPosition {
  txId: string;
  id: string;
}

const START: FeedPosition = { txId: '0', id: '0' };

function encodeFeedCursor(position: FeedPosition): string {
  return Buffer.from(`${position.txId}.${position.id}`, 'utf8').toString('base64url');
}

function decodeFeedCursor(cursor: string): FeedPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(text);
  if (!match || encodeFeedCursor({ txId: match[1], id: match[2] }) !== cursor) throw new InvalidCursorError();
  if (BigInt(match[1]) > 18446744073709551615n || BigInt(match[2]) > 9223372036854775807n) throw new InvalidCursorError();
  return { txId: match[1], id: match[2] };
}

/**
 * The events feed, oldest first. Ordered by (tx_id, id) and limited to transactions older than every
 * transaction still running (the snapshot's xmin): a transaction that commits later has a larger tx_id than
 * anything shown, so a consumer that resumes from a cursor never misses an event committed behind it (plain
 * id order would: a transaction can take an id, then commit after a reader moved past it). The cost: the feed
 * lags by the longest transaction running in the Postgres cluster, usually milliseconds.
 *
 * next_cursor is returned on every page: past the last item of a full page, else at the visibility horizon
 * (nothing can appear before it any more), so an empty or filtered tail is not rescanned.
 */
@Injectable()
export class EventFeedQuery {
  constructor(private readonly dataSource: DataSource) {}

  async page(filter: EventFeedFilter, page: { limit: number; cursor?: string }): Promise<EventFeedPage> {
    const after = page.cursor ? decodeFeedCursor(page.cursor) : START;
    const params: unknown[] = [after.txId, after.id];
    const where = [`(tx_id, id) > ($1::xid8, $2::bigint)`, `tx_id < h.horizon`];
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
    // One statement: the horizon and the rows come from the same snapshot.
    const rows: (StoredEvent & { txId: string; rowId: string; horizon: string })[] = await this.dataSource.query(
      `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
       SELECT ${storedEventColumns()}, tx_id::text AS "txId", id::text AS "rowId", h.horizon::text AS horizon
       FROM events, h WHERE ${where.join(' AND ')}
       ORDER BY tx_id, id LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, page.limit);
    if (rows.length > page.limit) {
      const last = items[items.length - 1];
      return { items: items.map(strip), nextCursor: encodeFeedCursor({ txId: last.txId, id: last.rowId }) };
    }
    const horizon = rows[0]?.horizon ?? (await this.horizon());
    const resume = BigInt(horizon) > BigInt(after.txId) ? { txId: horizon, id: '0' } : after;
    return { items: items.map(strip), nextCursor: encodeFeedCursor(resume) };
  }

  private async horizon(): Promise<string> {
    const rows: { horizon: string }[] = await this.dataSource.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`);
    return rows[0].horizon;
  }
}

function strip(row: StoredEvent & { txId: string; rowId: string; horizon: string }): StoredEvent {
  const { txId: _txId, rowId: _rowId, horizon: _horizon, ...event } = row;
  return event;
}
