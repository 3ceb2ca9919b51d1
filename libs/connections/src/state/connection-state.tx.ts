import { AttemptStatus, ConnectionStatus, lockTerraUser, queryPrepared, sqlRows, type PreparedStatement } from '@terra-connections/persistence';
import type { TerraEventUser, TerraUser } from '@terra-connections/terra';
import type { EntityManager } from 'typeorm';
import type { AttemptFailure, DataReceipt } from '../events/pending-event';
import { joinBackfills } from '../backfills/backfill-join';
import { settleConnectionAttempt, type AttemptOutcome } from './connection-attempt.matcher';
import { toConnectionChange, type ConnectionChange, type ConnectionChangeCause, type FreshnessChange, type WrittenConnectionRow } from './connection-change';
import { CONNECTION_DATA_ARRIVAL, CONNECTION_FRESHNESS_BATCH, type ArrivalWriteStatement } from './connection-freshness.sql';
import type { Freshness, FreshnessSettings } from '../freshness/freshness';
import type { DriftCorrection } from '../drift/drift';
import { windowParams } from '../freshness/freshness-window.sql';
import { eraseConnectionData, lockConnectionMembers, type ErasureScope } from './connection-erasure';
import { HEALTH_DATA_DROP_MERGED, HEALTH_DATA_MERGE_OVERLAP, HEALTH_DATA_MOVE_UNIQUE } from './health-data-merge.sql';
import {
  CONNECTION_CREATE_IF_UNKNOWN,
  CONNECTION_CURRENT_STATUS_FOR_DATA,
  CONNECTION_DISCONNECT_VIA_API,
  CONNECTION_JOIN_ROWS,
  CONNECTION_MARK_CURRENT,
  CONNECTION_SCOPES_CHANGE,
  CONNECTION_STAMP_LAST_WEBHOOK,
  CONNECTION_STATUS_UPDATE,
  CONNECTION_STATUS_UPSERT,
  refreshUpdate,
} from './connection-state.sql';
import { ENDED_STATUSES, isLiveStatus } from './connection-statuses';
import { patchForMissingUser, patchFromTerra, REFRESH_COLUMNS, type RefreshedRow } from './terra-refresh';

/** `from` is now part of `into` (its connection_id resolves to `into`). */
export interface ConnectionMerge {
  from: string;
  into: string;
}

/** Who a connection is, as far as the caller knows: null fields keep what is stored. */
export interface ConnectionIdentity {
  terraUserId: string;
  provider: string | null;
  referenceId: string | null;
}

/** An identity with the scopes the caller has (null: it said nothing about scopes). */
export interface ConnectionGrant extends ConnectionIdentity {
  scopes: string[] | null;
}

interface StatusMove extends ConnectionIdentity {
  scopes: string[] | null;
  status: ConnectionStatus;
  reason: string | null;
  replacedBy?: string;
  /** When the move happened: compared with status_changed_at, never with our clock. */
  at: Date;
  /** Statuses this move leaves alone even when newer. */
  unless?: readonly ConnectionStatus[];
}

export interface NewConnection extends ConnectionGrant {
  provider: string;
  status: ConnectionStatus;
  reason: string;
  /** Stands in for the auth time, for the ordering rule. */
  since: Date;
}

/** What a data event brings: its type (null: no freshness row, e.g. athlete) and the newest provider-side time in it. */
export interface DataArrival {
  type: string | null;
  dataTime: Date | null;
}

/**
 * The only writer of terra_connections and of connection_attempts outcomes, inside one transaction the
 * caller owns (the applier's, a DELETE's, a refresh's, one reconciliation repair). The caller holds the Terra
 * user's advisory lock (lockTerraUser) for every id it writes: the applier takes it with the inbox row, the
 * API and the reconciler right after BEGIN; a user_reauth's second id is locked here, and so are the other
 * ids of a connection whose health data is joined or erased (lockConnectionMembers).
 *
 * Each Terra id belongs to one connection (`connection_id`); a row's writes are the Terra id's, and the
 * connection is its current id's row. Only `replace` (a user_reauth) moves ids between connections.
 *
 * Every status or scopes write goes through `write`, which reads the before and after state from the same
 * statement and collects the ConnectionChange; `changes` lists them for whatever must commit with them.
 */
export class ConnectionStateTx {
  private readonly collected: ConnectionChange[] = [];
  private readonly failures: AttemptFailure[] = [];
  private readonly receipts: DataReceipt[] = [];
  private readonly merges: ConnectionMerge[] = [];
  private readonly freshnessMoves: FreshnessChange[] = [];

  constructor(
    private readonly tx: EntityManager,
    readonly cause: ConnectionChangeCause,
  ) {}

  /** The changes written so far in this transaction, in order. */
  get changes(): readonly ConnectionChange[] {
    return this.collected;
  }

  /** Connect attempts this transaction settled as failed or cancelled (each a `connection.attempt_failed`). */
  get attemptFailures(): readonly AttemptFailure[] {
    return this.failures;
  }

  /** Connections a user_reauth folded into another in this transaction. */
  get connectionMerges(): readonly ConnectionMerge[] {
    return this.merges;
  }

  /** Freshness moves written in this transaction (`connection.stale`, `connection.fresh`). */
  get freshnessChanges(): readonly FreshnessChange[] {
    return this.freshnessMoves;
  }

  /** Data this transaction stored (each a `data.received`). */
  get dataReceipts(): readonly DataReceipt[] {
    return this.receipts;
  }

  /** A data event's records were written in this transaction: recorded with the changes as its event. */
  noteDataReceived(receipt: DataReceipt): void {
    this.receipts.push(receipt);
  }

  /** `auth` success. An ended id stays ended (a reconnect gets a new id), however new the auth claims to be. */
  activate(connection: ConnectionGrant, at: Date): Promise<ConnectionChange | null> {
    return this.move({ ...connection, status: ConnectionStatus.Active, reason: null, at, unless: ENDED_STATUSES }, true);
  }

  /** `connection_error`: not terminal (a later auth brings the id back); an ended id cannot degrade. */
  markError(connection: ConnectionIdentity, reason: string, at: Date): Promise<ConnectionChange | null> {
    return this.move({ ...connection, scopes: null, status: ConnectionStatus.Error, reason, at, unless: ENDED_STATUSES }, true);
  }

  /** `access_revoked`: revoked, whatever ended state it had (revoked says the most). */
  revoke(connection: ConnectionIdentity, reason: string, at: Date): Promise<ConnectionChange | null> {
    return this.move({ ...connection, scopes: null, status: ConnectionStatus.Revoked, reason, at }, true);
  }

  /** `deauth`: disconnected; revoked or replaced say more and are kept. Leaves a tombstone for an unknown id. */
  disconnect(connection: ConnectionIdentity, reason: string, at: Date): Promise<ConnectionChange | null> {
    return this.move({ ...connection, scopes: null, status: ConnectionStatus.Disconnected, reason, at, unless: ENDED_STATUSES }, true);
  }

  /** A failed auth: Terra deleted the provisional id, so a live row for it ends. Never creates a row. */
  endFailedAuth(terraUserId: string, reason: string, at: Date): Promise<ConnectionChange | null> {
    return this.endLive(terraUserId, reason, at);
  }

  /** Reconciliation: a live connection Terra confirmed gone, unless its state is newer than `askedAt`. */
  disconnectMissing(terraUserId: string, reason: string, askedAt: Date): Promise<ConnectionChange | null> {
    return this.endLive(terraUserId, reason, askedAt);
  }

  /**
   * `user_reauth`: the new id active, the old one replaced by it (when Terra named one), and the new id in the
   * old id's connection. Reference and provider fall back to the old id's, from the event or as stored. The
   * old id is locked too; the two rows are written in one global order, so two reauths of one chain applied
   * at once cannot deadlock on them.
   *
   * The two ids' connections then become one, whatever order the chain's events came in: the old id's
   * connection stays (the one callers know) and takes the new id's rows after the old id; an old id we had
   * never seen joins the new id's connection just before it. Health data follows (joinConnections).
   */
  async replace(next: ConnectionGrant, previous: ConnectionIdentity | null, at: Date): Promise<void> {
    const other = previous && previous.terraUserId !== next.terraUserId ? previous : null;
    if (other) await lockTerraUser(this.tx, other.terraUserId);
    const stored = previous ? await this.storedIdentity(previous.terraUserId) : null;
    const referenceId = next.referenceId ?? previous?.referenceId ?? stored?.reference_id ?? null;
    const provider = next.provider ?? previous?.provider ?? stored?.provider ?? null;
    const moves: StatusMove[] = [{ ...next, provider, referenceId, status: ConnectionStatus.Active, reason: null, at }];
    if (other) {
      moves.push({
        terraUserId: other.terraUserId,
        provider: other.provider ?? provider,
        referenceId: other.referenceId ?? referenceId,
        scopes: null,
        status: ConnectionStatus.Replaced,
        reason: `reauthenticated as ${next.terraUserId}`,
        replacedBy: next.terraUserId,
        at,
      });
    }
    moves.sort((a, b) => a.terraUserId.localeCompare(b.terraUserId));
    for (const move of moves) await this.move(move, true);
    if (other) await this.joinConnections(other.terraUserId, next.terraUserId, stored !== null);
  }

  /**
   * One connection for `previousId` -> `nextId` (both rows exist). Takes the lock of every Terra id of both
   * connections first: a data event of one of them (its current id, say) cannot write under the connection
   * that goes while its rows move.
   */
  private async joinConnections(previousId: string, nextId: string, previousWasKnown: boolean): Promise<void> {
    type Member = { terra_user_id: string; connection_id: string; chain_position: number; connection_seq: string };
    const read = async () =>
      sqlRows<Member>(
        await this.tx.query(
          `SELECT m.terra_user_id, m.connection_id, m.chain_position, m.connection_seq FROM terra_connections m
           WHERE m.connection_id IN (SELECT connection_id FROM terra_connections WHERE terra_user_id IN ($1, $2))`,
          [previousId, nextId],
        ),
      );
    let members = await read();
    const find = (id: string) => members.find((member) => member.terra_user_id === id);
    if (find(previousId)?.connection_id === find(nextId)?.connection_id) return; // already one (a redelivery)
    await lockConnectionMembers(this.tx, members.map((member) => member.terra_user_id));
    members = await read(); // under the locks: nothing moves any more
    const previous = find(previousId);
    const next = find(nextId);
    if (!previous || !next || previous.connection_id === next.connection_id) return;

    const [stays, goes] = previousWasKnown ? [previous, next] : [next, previous];
    const positions = (connectionId: string) =>
      members.filter((member) => member.connection_id === connectionId).map((member) => member.chain_position);
    // The chain goes on after the old id; an old id new to us goes just before the new one.
    const shift = previousWasKnown
      ? previous.chain_position + 1 - Math.min(...positions(goes.connection_id))
      : next.chain_position - 1 - Math.max(...positions(goes.connection_id));
    const listingKey = members.reduce((min, member) => (BigInt(member.connection_seq) < BigInt(min) ? member.connection_seq : min), stays.connection_seq);

    await this.tx.query(CONNECTION_JOIN_ROWS, [goes.connection_id, stays.connection_id, shift, listingKey]);
    await this.tx.query(CONNECTION_MARK_CURRENT, [stays.connection_id]);
    // The data of the connection that goes, and any that waited under either id's own key (data that came
    // before the id's auth): tc_connection_uuid is the key data of an id without a row is stored under.
    const waiting = sqlRows<{ key: string }>(
      await this.tx.query(`SELECT DISTINCT unnest(ARRAY[$1::uuid, tc_connection_uuid($2), tc_connection_uuid($3)]) AS key`, [
        goes.connection_id,
        previousId,
        nextId,
      ]),
    ).map((row) => row.key);
    for (const key of waiting.filter((candidate) => candidate !== stays.connection_id)) {
      await this.tx.query(HEALTH_DATA_MOVE_UNIQUE, [key, stays.connection_id]);
      await this.tx.query(HEALTH_DATA_MERGE_OVERLAP, [key, stays.connection_id]);
      await this.tx.query(HEALTH_DATA_DROP_MERGED, [key]);
    }
    // The freshness history follows the data; the connection that stays keeps the newer arrival of a type.
    await this.tx.query(
      `INSERT INTO connection_data_freshness AS f (connection_id, type, last_received_at, last_data_time, arrivals, gaps_ms)
       SELECT $2, type, last_received_at, last_data_time, arrivals, gaps_ms FROM connection_data_freshness WHERE connection_id = $1
       ON CONFLICT (connection_id, type) DO UPDATE SET last_received_at = GREATEST(f.last_received_at, EXCLUDED.last_received_at),
         last_data_time = GREATEST(f.last_data_time, EXCLUDED.last_data_time), arrivals = f.arrivals + EXCLUDED.arrivals`,
      [goes.connection_id, stays.connection_id],
    );
    await this.tx.query(`DELETE FROM connection_data_freshness WHERE connection_id = $1`, [goes.connection_id]);
    await joinBackfills(this.tx, goes.connection_id, stays.connection_id);
    for (const [index, change] of this.collected.entries()) {
      if (change.connectionId === goes.connection_id) this.collected[index] = { ...change, connectionId: stays.connection_id };
    }
    // The new id's own connection, when its auth came first, was a connection before this transaction (and was
    // announced): say where it went. One created by this very reauth never existed for anyone.
    const createdHere = this.collected.some((change) => change.terraUserId === nextId && change.from === null);
    if (previousWasKnown && !createdHere) this.merges.push({ from: goes.connection_id, into: stays.connection_id });
  }

  /** Records a correction reconciliation made (a connection_drift row), in the transaction that made it. */
  async recordDrift(drift: DriftCorrection): Promise<void> {
    await this.tx.query(
      `INSERT INTO connection_drift (kind, connection_id, terra_user_id, ours, terra)
       VALUES ($1, COALESCE($2::uuid, (SELECT connection_id FROM terra_connections WHERE terra_user_id = $3)), $3, $4::jsonb, $5::jsonb)`,
      [drift.kind, drift.connectionId, drift.terraUserId, drift.ours && JSON.stringify(drift.ours), drift.terra && JSON.stringify(drift.terra)],
    );
  }

  /**
   * Reconciliation: Terra's reference_id for the user, when our row still has another and its state is older
   * than `askedAt` (an auth applied meanwhile wins). No status or scopes change: no event, as no webhook has one.
   */
  async correctReference(terraUserId: string, referenceId: string, askedAt: Date): Promise<boolean> {
    const rows = sqlRows<{ id: string }>(
      await this.tx.query(
        `UPDATE terra_connections SET reference_id = $2, updated_at = now()
         WHERE terra_user_id = $1 AND reference_id IS DISTINCT FROM $2 AND (status_changed_at IS NULL OR status_changed_at < $3)
         RETURNING id`,
        [terraUserId, referenceId, askedAt],
      ),
    );
    return rows.length > 0;
  }

  /** `permission_change`: the new full set, unless the stored scopes are newer. */
  changeScopes(terraUserId: string, scopes: string[], at: Date): Promise<ConnectionChange | null> {
    return this.write(CONNECTION_SCOPES_CHANGE, [terraUserId, scopes, at]);
  }

  /** Our own DELETE (after Terra's deauthentication): disconnected now. */
  disconnectViaApi(terraUserId: string, reason: string): Promise<ConnectionChange | null> {
    return this.write(CONNECTION_DISCONNECT_VIA_API, [terraUserId, reason]);
  }

  /** Brings the row in line with Terra's userInfo answer (null: Terra answered 404). */
  async refreshFromTerra(terraUserId: string, user: TerraUser | null, now = new Date()): Promise<ConnectionChange | null> {
    const rows: RefreshedRow[] = await this.tx.query(
      `SELECT provider, reference_id, scopes, last_webhook_at, status, connected_at FROM terra_connections WHERE terra_user_id = $1`,
      [terraUserId],
    );
    if (!rows[0]) return null;
    const patch = user ? patchFromTerra(rows[0], user, now) : patchForMissingUser(rows[0], now);
    const columns = REFRESH_COLUMNS.filter((column) => patch[column] !== undefined);
    if (columns.length === 0) return null;
    return this.write({ text: refreshUpdate(columns) }, [terraUserId, ...columns.map((column) => patch[column]), now]);
  }

  /** Reconciliation: a Terra user we never heard of. Null when a row exists (it appeared meanwhile). */
  createIfUnknown(connection: NewConnection): Promise<ConnectionChange | null> {
    const { terraUserId, referenceId, provider, status, reason, scopes, since } = connection;
    return this.write(CONNECTION_CREATE_IF_UNKNOWN, [terraUserId, referenceId, provider, status, reason, scopes ?? [], since]);
  }

  /**
   * A data event's one write (CONNECTION_DATA_ARRIVAL): last_sync_at and last_data_at (unless ended),
   * last_webhook_at, the type's freshness row, and a stale connection back to fresh. Returns the status the
   * data is stored by, null for an id we have no row for. Takes the row lock, in the same order as status moves.
   * An id replaced by a reauth answers with its connection's current status: the data belongs to the connection,
   * and a Terra retry of data sent before the reauth must not be lost because it is applied after it. That read
   * share-locks the current row, so an access_revoked or a DELETE of the current id either waits for this data
   * (and erases it) or has ended the connection first (and the data is dropped). Only on that rare path: the
   * common data event keeps its one statement here.
   */
  async touchOnDataArrival(terraUserId: string, receivedAt: Date, arrival: DataArrival = { type: null, dataTime: null }): Promise<ConnectionStatus | null> {
    return (await this.arrive(CONNECTION_DATA_ARRIVAL, [], terraUserId, receivedAt, arrival)).status;
  }

  /**
   * touchOnDataArrival with the event's first data write in the same statement (dataArrivalWith), run only when
   * the data is to be stored. `written` false with a status that is not ended: the id was replaced by a reauth
   * and its connection lives, so the caller writes on its own.
   */
  touchOnDataArrivalWith(
    terraUserId: string,
    receivedAt: Date,
    arrival: DataArrival,
    write: { statement: ArrivalWriteStatement; params: unknown[] },
  ): Promise<{ status: ConnectionStatus | null; written: boolean }> {
    return this.arrive(write.statement, write.params, terraUserId, receivedAt, arrival);
  }

  private async arrive(
    statement: PreparedStatement,
    writeParams: unknown[],
    terraUserId: string,
    receivedAt: Date,
    arrival: DataArrival,
  ): Promise<{ status: ConnectionStatus | null; written: boolean }> {
    type Row = { status: ConnectionStatus | null; connection_id: string; freshness: Freshness; before_freshness: Freshness; stale_since: Date | null; written: boolean };
    const [row] = await queryPrepared<Row>(this.tx, statement, [terraUserId, receivedAt, ENDED_STATUSES, arrival.type, arrival.dataTime, ...writeParams]);
    if (row.before_freshness === 'stale' && row.freshness === 'fresh') {
      this.freshnessMoves.push({
        connectionId: row.connection_id,
        terraUserId,
        from: 'stale',
        to: 'fresh',
        at: receivedAt,
        staleSince: row.stale_since,
        lastDataAt: receivedAt,
        ...(arrival.type ? { dataType: arrival.type } : {}),
      });
    }
    if (row.status !== ConnectionStatus.Replaced) return { status: row.status, written: row.written };
    const current = await queryPrepared<{ status: ConnectionStatus }>(this.tx, CONNECTION_CURRENT_STATUS_FOR_DATA, [terraUserId]);
    return { status: current[0]?.status ?? row.status, written: false };
  }

  /**
   * One batch of the freshness job (CONNECTION_FRESHNESS_BATCH): the connections after listing key `after`,
   * judged at `now`; every verdict that changed is written and collected. Returns where the batch ended (null:
   * nothing was left) and how many it judged.
   */
  async evaluateFreshness(after: string, limit: number, now: Date, settings: FreshnessSettings): Promise<{ lastSeq: string | null; scanned: number }> {
    type Moved = {
      connection_id: string;
      terra_user_id: string;
      before: Freshness;
      after: Freshness;
      prior_stale_since: string | null;
      last_data_at: string | null;
      overdue_types: FreshnessChange['overdueTypes'];
    };
    const [row] = await queryPrepared<{ last_seq: string | null; scanned: number; changes: Moved[] }>(this.tx, CONNECTION_FRESHNESS_BATCH, [
      after,
      limit,
      now,
      ...windowParams(settings),
    ]);
    for (const moved of row.changes) {
      this.freshnessMoves.push({
        connectionId: moved.connection_id,
        terraUserId: moved.terra_user_id,
        from: moved.before,
        to: moved.after,
        at: now,
        staleSince: moved.prior_stale_since ? new Date(moved.prior_stale_since) : null,
        lastDataAt: moved.last_data_at ? new Date(moved.last_data_at) : null,
        ...(moved.after === 'stale' ? { overdueTypes: moved.overdue_types ?? [] } : {}),
      });
    }
    return { lastSeq: row.last_seq, scanned: row.scanned };
  }

  /** last_webhook_at of a known user, for an event that wrote nothing else about it. */
  async stampLastWebhook(terraUserId: string, receivedAt: Date): Promise<void> {
    await queryPrepared(this.tx, CONNECTION_STAMP_LAST_WEBHOOK, [terraUserId, receivedAt]);
  }

  /** Settles the connection attempt an `auth` event answers; returns its id when one matched. */
  async settleAttempt(outcome: AttemptOutcome, at: Date = new Date()): Promise<string | null> {
    const attemptId = await settleConnectionAttempt(this.tx, outcome);
    if (outcome.status !== AttemptStatus.Succeeded) {
      const { terraUserId, referenceId, provider, reason } = outcome;
      this.failures.push({ terraUserId, referenceId, provider, reason, cancelled: outcome.status === AttemptStatus.Cancelled, attemptId, at });
    }
    return attemptId;
  }

  /** Deletes the person's health data and empties the inbox bodies that hold it. */
  erase(terraUserId: string, scope?: ErasureScope): Promise<void> {
    return eraseConnectionData(this.tx, terraUserId, scope);
  }

  /** A live row we have -> disconnected, by the ordering rule; an ended or unknown id is left alone. */
  private endLive(terraUserId: string, reason: string, at: Date): Promise<ConnectionChange | null> {
    const move = { terraUserId, provider: null, referenceId: null, scopes: null, reason, at, unless: ENDED_STATUSES };
    return this.move({ ...move, status: ConnectionStatus.Disconnected }, false);
  }

  private move(move: StatusMove, createMissing: boolean): Promise<ConnectionChange | null> {
    const live = isLiveStatus(move.status);
    return this.write(createMissing ? CONNECTION_STATUS_UPSERT : CONNECTION_STATUS_UPDATE, [
      move.terraUserId,
      move.referenceId,
      move.provider,
      move.status,
      move.reason,
      move.scopes,
      move.replacedBy ?? null,
      live ? move.at : null,
      live ? null : move.at,
      move.at,
      live,
      move.unless ?? [],
    ]);
  }

  /** The one door: runs a statement that ends in `returningChange` and collects the change it made, if any. */
  private async write(statement: PreparedStatement | { text: string }, values: unknown[]): Promise<ConnectionChange | null> {
    const rows =
      'name' in statement
        ? await queryPrepared<WrittenConnectionRow>(this.tx, statement, values)
        : sqlRows<WrittenConnectionRow>(await this.tx.query(statement.text, values));
    const change = rows[0] ? toConnectionChange(rows[0], this.cause) : null;
    if (change) this.collected.push(change);
    return change;
  }

  private async storedIdentity(terraUserId: string): Promise<{ reference_id: string | null; provider: string } | null> {
    const rows: { reference_id: string | null; provider: string }[] = await this.tx.query(
      `SELECT reference_id, provider FROM terra_connections WHERE terra_user_id = $1`,
      [terraUserId],
    );
    return rows[0] ?? null;
  }
}

/** A user as a parsed Terra event names it, as the state module takes it. */
export function connectionOf(user: TerraEventUser): ConnectionGrant {
  return { terraUserId: user.userId, provider: user.provider, referenceId: user.referenceId, scopes: user.scopes };
}
