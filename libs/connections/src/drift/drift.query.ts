import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../connection-cursor';
import type { DriftKind, DriftRecord } from './drift';

export const DRIFT_PAGE_MAX = 500;

export interface DriftFilter {
  /** Rows detected at or after this time. */
  since?: Date;
  kind?: DriftKind;
}

/** One page of drift rows, oldest first; `nextCursor` is null on the last page. */
export interface DriftPage {
  items: DriftRecord[];
  nextCursor: string | null;
}

interface DriftRow {
  id: string;
  kind: DriftKind;
  connection_id: string | null;
  terra_user_id: string;
  ours: Record<string, unknown> | null;
  terra: Record<string, unknown> | null;
  detected_at: Date;
}

/**
 * The corrections reconciliation recorded, oldest first, keyset on id: the primary key (or the kind's index)
 * from the first row detected at or after `since` (found by idx_connection_drift_detected_at: a row's id and
 * its detected_at grow together, both taken as reconciliation writes it), then the cursor.
 */
@Injectable()
export class DriftQuery {
  constructor(private readonly dataSource: DataSource) {}

  async page(filter: DriftFilter, page: { limit: number; cursor?: string }): Promise<DriftPage> {
    const limit = Math.min(Math.max(Math.trunc(page.limit), 1), DRIFT_PAGE_MAX);
    const after = page.cursor === undefined ? '0' : decodeCursor(page.cursor);
    const rows: DriftRow[] = await this.dataSource.query(
      `SELECT id::text, kind, connection_id, terra_user_id, ours, terra, detected_at FROM connection_drift
       WHERE id > $1::bigint
         AND ($2::timestamptz IS NULL OR id >= COALESCE((SELECT id FROM connection_drift WHERE detected_at >= $2::timestamptz ORDER BY detected_at LIMIT 1), 9223372036854775807))
         AND ($3::varchar IS NULL OR kind = $3::varchar)
       ORDER BY id LIMIT $4`,
      [after, filter.since ?? null, filter.kind ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map((row) => ({
      id: row.id,
      kind: row.kind,
      connectionId: row.connection_id,
      terraUserId: row.terra_user_id,
      ours: row.ours,
      terra: row.terra,
      detectedAt: row.detected_at,
    }));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
  }
}
