import { preparedStatement, type PreparedStatement } from '@terra-connections/persistence';
import { FRESHNESS_VALUES, type Freshness } from './freshness/freshness';
import { windowLateral } from './freshness/freshness-window.sql';

/*
 * The reads of connections: one row per connection, its current Terra id's row (`is_current`), with the ids of
 * its chain beside it. Every lookup is by an index: the listing by idx_terra_connections_reference_id or
 * idx_terra_connections_listing (partial, current rows only), a connection's ids by
 * idx_terra_connections_connection_id, and a path id by uq_terra_connections_terra_user_id (a Terra id),
 * idx_terra_connections_connection_id (a connection id) or idx_terra_connections_first_id_uuid (a connection
 * id that was folded into another by a reauth; see connection-identity.integration-spec.ts for the plans).
 */

/** A Connection's columns, named as its properties, plus the listing key the cursor needs (`seq`). */
export const CONNECTION_COLUMNS = `c.connection_seq AS seq, c.connection_id AS "connectionId", c.terra_user_id AS "terraUserId",
  m.ids AS "terraUserIds", c.reference_id AS "referenceId", c.provider, c.status, c.scopes,
  c.connected_at AS "connectedAt", c.disconnected_at AS "disconnectedAt", c.last_webhook_at AS "lastWebhookAt",
  c.last_sync_at AS "lastSyncAt", c.status_reason AS "statusReason", m.created AS "createdAt", c.updated_at AS "updatedAt",
  c.freshness, c.last_data_at AS "lastDataAt", c.stale_since AS "staleSince"`;

/** The connection's Terra ids in chain order, and when its first row was created. */
export const CONNECTION_MEMBERS = `CROSS JOIN LATERAL (
    SELECT array_agg(h.terra_user_id ORDER BY h.chain_position, h.terra_user_id) AS ids, min(h.created_at) AS created
    FROM terra_connections h WHERE h.connection_id = c.connection_id) m`;

/**
 * The connection a path id names: $2 (the id when it is a UUID, else null) as a connection id, current or
 * folded into another, then $1 as a Terra id. Connection ids first: a signed body could make a Terra user id
 * equal to another connection's id, and a route must never act on a different person than its id names.
 */
export const CONNECTION_ID_OF = `(SELECT x.connection_id FROM (
      SELECT connection_id, 1 AS rank FROM (SELECT connection_id FROM terra_connections WHERE connection_id = $2::uuid LIMIT 1) a
      UNION ALL SELECT connection_id, 2 FROM (SELECT connection_id FROM terra_connections WHERE tc_connection_uuid(terra_user_id) = $2::uuid LIMIT 1) b
      UNION ALL SELECT connection_id, 3 FROM terra_connections WHERE terra_user_id = $1
    ) x ORDER BY x.rank LIMIT 1)`;

export const CONNECTION_GET = preparedStatement(
  'tc_connection_get',
  `SELECT ${CONNECTION_COLUMNS} FROM terra_connections c ${CONNECTION_MEMBERS}
   WHERE c.connection_id = ${CONNECTION_ID_OF} AND c.is_current
   LIMIT 1`,
);

/** One condition per filter, in the order of the bits of `mask`; $1 is the row limit. */
const LIST_FILTERS = ['c.connection_seq > $::bigint', 'c.reference_id = $', 'c.provider = $', 'c.status = $'];
const listStatements = new Map<string, PreparedStatement>();

/**
 * The list query for one combination of filters (at most 16, times the freshness filter's four), as a
 * prepared statement: the listing is the read internal services call most, and each shape keeps its own plan
 * (an index range scan from the cursor on (reference_id, connection_seq) or (connection_seq), current rows
 * only). The freshness is written into the text, not bound: a generic plan of `freshness = $n` could never
 * use the partial index of the stale rows (idx_terra_connections_stale), whose predicate names the value.
 */
export function listStatement(mask: number, freshness?: Freshness): PreparedStatement {
  const key = `${mask}${freshness ? `_${freshness}` : ''}`;
  let statement = listStatements.get(key);
  if (!statement) {
    const conditions: string[] = ['c.is_current'];
    LIST_FILTERS.forEach((condition, bit) => {
      if (mask & (1 << bit)) conditions.push(condition.replace('$', `$${conditions.length + 1}`));
    });
    if (freshness) {
      if (!FRESHNESS_VALUES.includes(freshness)) throw new Error(`Unknown freshness ${String(freshness)}`);
      conditions.push(`c.freshness = '${freshness}'`);
    }
    statement = preparedStatement(
      `tc_connections_list_${key}`,
      `SELECT ${CONNECTION_COLUMNS} FROM terra_connections c ${CONNECTION_MEMBERS}
       WHERE ${conditions.join(' AND ')} ORDER BY c.connection_seq LIMIT $1`,
    );
    listStatements.set(key, statement);
  }
  return statement;
}

/**
 * The single connection's freshness by type: each type's last arrival, the newest provider time in it, its
 * window, whether that window is learned, expected and overdue now. $1 connection id, $2.. windowParams().
 */
export const CONNECTION_FRESHNESS_TYPES = `SELECT f.type, f.last_received_at AS "lastReceivedAt", f.last_data_time AS "lastDataTime",
    w.window_ms::bigint AS "windowMs", w.learned, w.expected, w.overdue
  FROM connection_data_freshness f JOIN terra_connections c ON c.connection_id = f.connection_id AND c.is_current
  ${windowLateral('f', 'c.provider', 'now()', 2)}
  WHERE f.connection_id = $1 ORDER BY f.type`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The parameters of CONNECTION_ID_OF for a path id. */
export function connectionIdParams(id: string): [string, string | null] {
  return [id, UUID.test(id) ? id : null];
}
