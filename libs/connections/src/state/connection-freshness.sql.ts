import { ConnectionStatus, preparedStatement, terraUserTryLockSql, type PreparedStatement } from '@terra-connections/persistence';
import { windowLateral } from '../freshness/freshness-window.sql';
import { LIVE_STATUSES } from './connection-statuses';

const LIVE = `(${LIVE_STATUSES.map((status) => `'${status}'`).join(',')})`;

/** The touch's parameters ($1..$5); a write along with it numbers its own from $6. */
const ARRIVAL_PARAMS = 5;

/**
 * SQL of a write that runs in the arrival's statement: `storedOnly` is a condition it must AND into its WHERE
 * (the data is stored: the connection is unknown yet or live, not ended and not replaced), and `param(n)` names
 * its own n-th parameter.
 */
export type ArrivalWriteSql = (storedOnly: string, param: (n: number) => string) => string;

/** A statement of dataArrivalWith: the touch and one write, in one round trip. */
export interface ArrivalWriteStatement extends PreparedStatement {
  readonly arrivalWrite: true;
}

function dataArrivalSql(write?: ArrivalWriteSql): string {
  const storedOnly = `(SELECT stored FROM verdict)`;
  const alongside = write
    ? `,
   verdict AS MATERIALIZED (
     SELECT NOT EXISTS (SELECT 1 FROM t WHERE t.status = ANY($3::text[]) OR t.status = '${ConnectionStatus.Replaced}') AS stored),
   w AS (${write(storedOnly, (n) => `$${n + ARRIVAL_PARAMS}`)})`
    : '';
  return `WITH prior AS (SELECT freshness, stale_since FROM terra_connections WHERE terra_user_id = $1),
   t AS (
     UPDATE terra_connections c
        SET last_sync_at = CASE WHEN c.status = ANY($3::text[]) THEN c.last_sync_at
                                ELSE GREATEST(COALESCE(c.last_sync_at, $2::timestamptz), $2::timestamptz) END,
            last_data_at = CASE WHEN c.status = ANY($3::text[]) THEN c.last_data_at
                                ELSE GREATEST(COALESCE(c.last_data_at, $2::timestamptz), $2::timestamptz) END,
            freshness = CASE WHEN c.freshness = 'stale' AND NOT c.status = ANY($3::text[]) THEN 'fresh' ELSE c.freshness END,
            stale_since = CASE WHEN c.freshness = 'stale' AND NOT c.status = ANY($3::text[]) THEN NULL ELSE c.stale_since END,
            last_webhook_at = GREATEST(COALESCE(c.last_webhook_at, $2::timestamptz), $2::timestamptz)
      WHERE c.terra_user_id = $1
      RETURNING c.status, c.freshness, c.connection_id),
   f AS (
     INSERT INTO connection_data_freshness AS f (connection_id, type, last_received_at, last_data_time)
     SELECT t.connection_id, $4::varchar, $2, $5::timestamptz FROM t WHERE $4::varchar IS NOT NULL AND NOT t.status = ANY($3::text[])
     ON CONFLICT (connection_id, type) DO UPDATE SET
       gaps_ms = CASE WHEN EXCLUDED.last_received_at > f.last_received_at
         THEN (f.gaps_ms || (extract(epoch FROM EXCLUDED.last_received_at - f.last_received_at) * 1000)::bigint)[greatest(1, cardinality(f.gaps_ms) - 30):]
         ELSE f.gaps_ms END,
       arrivals = f.arrivals + 1,
       last_received_at = GREATEST(f.last_received_at, EXCLUDED.last_received_at),
       last_data_time = GREATEST(f.last_data_time, EXCLUDED.last_data_time))${alongside}
   SELECT t.status, t.connection_id, t.freshness, (SELECT freshness FROM prior) AS before_freshness,
          (SELECT stale_since FROM prior) AS stale_since, ${write ? storedOnly : 'false'} AS written
   FROM (SELECT 1) AS one LEFT JOIN t ON true`;
}

/**
 * A data event's one write of the connection row (it was the touch alone before freshness): last_sync_at and
 * last_data_at (unless the connection has ended, $3) and last_webhook_at; a stale connection becomes fresh;
 * and the type's connection_data_freshness row takes the arrival (its gap ring keeps the last 32 gaps). The
 * prior freshness comes back with the status, read in the same statement (the caller holds the Terra user's
 * lock, so nothing changed it in between): the state module turns stale -> fresh into `connection.fresh`.
 * One row always; its status is null for a Terra id we have no row for.
 *
 * $1 terra_user_id, $2 received_at, $3 ended statuses, $4 data type (null: no freshness row, e.g. athlete), $5
 * newest provider-side time in the data (or null).
 */
export const CONNECTION_DATA_ARRIVAL = preparedStatement('tc_connection_data_arrival', dataArrivalSql());

/**
 * The arrival and the event's first data write in one statement (one round trip fewer on every data event).
 * The write runs only when the data is stored: `verdict` reads `t`, so the connection row is locked before any
 * data row is written (the order status moves use), and `written` says whether it ran. It does not run for an
 * ended connection, nor for a Terra id a reauth replaced: that rare path decides from the current row, and the
 * caller then writes on its own.
 */
export function dataArrivalWith(name: string, write: ArrivalWriteSql): ArrivalWriteStatement {
  return { ...preparedStatement(name, dataArrivalSql(write)), arrivalWrite: true };
}

/**
 * One batch of the freshness job, set-based: the next $2 connections after listing key $1, each judged at $3
 * from its types (windowLateral, parameters $4..$8), and the ones whose verdict differs written, in one
 * statement. A connection is
 * - `unknown` when it has ended, or no type of it is expected yet (too new, or nothing comes regularly);
 * - `stale` when every expected type is overdue (its data stopped) and no data at all came within the floor
 *   ($4: a first copy of a new type made it fresh, and holds it so for at least that long);
 * - `fresh` otherwise.
 * One type going quiet while others keep coming does not make the connection stale (its detail shows it): a
 * stale connection that any data makes fresh at once must not be made stale again by the next run.
 *
 * A changing row is written only under its Terra user's lock, taken with try (a data event holding it is
 * about to decide for itself; the next run sees it), and only if neither its freshness nor its last data moved
 * since the batch read it. The rows are found by their ids (`= ANY(ARRAY(...))`): a CTE's row estimate is a
 * guess, and a join on it alone can turn into a scan of the whole table for each batch. Returns one row: the batch's last key and size, and the changes as JSON.
 */
export const CONNECTION_FRESHNESS_BATCH = preparedStatement(
  'tc_connection_freshness_batch',
  `WITH batch AS (
     SELECT c.id, c.connection_id, c.terra_user_id, c.provider, c.status, c.freshness, c.last_data_at, c.stale_since, c.connection_seq
     FROM terra_connections c WHERE c.is_current AND c.connection_seq > $1::bigint ORDER BY c.connection_seq LIMIT $2),
   verdict AS (
     SELECT b.*, CASE
         WHEN b.status NOT IN ${LIVE} OR v.expected = 0 THEN 'unknown'
         WHEN v.overdue = v.expected AND (b.last_data_at IS NULL OR b.last_data_at < $3::timestamptz - $4::bigint * interval '1 millisecond') THEN 'stale'
         ELSE 'fresh' END AS next,
       v.overdue_types
     FROM batch b CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE w.expected) AS expected,
              count(*) FILTER (WHERE w.expected AND w.overdue) AS overdue,
              COALESCE(jsonb_agg(jsonb_build_object('type', f.type, 'last_received_at', f.last_received_at, 'window_ms', w.window_ms) ORDER BY f.type)
                FILTER (WHERE w.expected AND w.overdue), '[]'::jsonb) AS overdue_types
       FROM connection_data_freshness f ${windowLateral('f', 'b.provider', '$3::timestamptz', 4)}
       WHERE f.connection_id = b.connection_id) v),
   changed AS (
     SELECT * FROM verdict WHERE CASE WHEN next <> freshness THEN ${terraUserTryLockSql('terra_user_id')} ELSE false END),
   u AS (
     UPDATE terra_connections c
        SET freshness = ch.next, stale_since = CASE WHEN ch.next = 'stale' THEN $3::timestamptz END
       FROM changed ch
      WHERE c.id = ANY(ARRAY(SELECT id FROM changed)) AND c.id = ch.id AND c.is_current AND c.freshness = ch.freshness AND c.last_data_at IS NOT DISTINCT FROM ch.last_data_at
     RETURNING c.connection_id, c.terra_user_id, ch.freshness AS before, c.freshness AS after, ch.stale_since AS prior_stale_since,
       c.last_data_at, ch.overdue_types)
   SELECT (SELECT max(connection_seq) FROM batch)::text AS last_seq, (SELECT count(*) FROM batch)::int AS scanned,
          COALESCE((SELECT json_agg(u ORDER BY u.connection_id) FROM u), '[]'::json) AS changes`,
);
