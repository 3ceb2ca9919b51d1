import type { DataSource } from 'typeorm';
import { CONNECTION_ID_OF, connectionIdParams } from './connection-read.sql';

/** What the reads beside a connection (its health data, its inbound deliveries) key by. */
export interface ConnectionKey {
  /** The connection's id, or for a Terra id we have no row for, the key its data waits under. */
  connectionId: string;
  /** Every Terra user id of the connection (just the id asked for, when unknown). */
  terraUserIds: string[];
  /** false: no connection has that id (data may still wait under `connectionId`). */
  known: boolean;
}

/**
 * The connection a route's `{id}` names (its connection_id or any of its Terra user ids), in one indexed
 * query. An unknown id comes back with `known: false` and the key data of that Terra id waits under.
 */
export async function resolveConnectionKey(dataSource: DataSource, id: string): Promise<ConnectionKey> {
  const rows: { connection_id: string | null; ids: string[] | null; waiting: string }[] = await dataSource.query(
    `SELECT k.connection_id, (SELECT array_agg(terra_user_id) FROM terra_connections WHERE connection_id = k.connection_id) AS ids,
            tc_connection_uuid($1) AS waiting
     FROM (SELECT ${CONNECTION_ID_OF} AS connection_id) k`,
    connectionIdParams(id),
  );
  const row = rows[0];
  if (!row?.connection_id) return { connectionId: row.waiting, terraUserIds: [id], known: false };
  return { connectionId: row.connection_id, terraUserIds: row.ids ?? [id], known: true };
}
