import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@terra-connections/config';
import { AttemptKind, AttemptStatus, ConnectionStatus } from '@terra-connections/persistence';
import { parseTerraScopes, type TerraUser } from '@terra-connections/terra';
import { DataSource } from 'typeorm';
import type { DriftKind } from '../drift/drift';
import { onConnectBackfillsEnabled, type OnConnectBackfillConfig } from '../backfills/backfill-trigger';
import { withConnectionState } from '../state/with-connection-state';
import { TERRA_USER_DIRECTORY, type TerraUserDirectory } from './terra-user-directory';

export const NOT_FOUND_AT_TERRA_ON_RECONCILE = 'not found at Terra during reconciliation';
export const INACTIVE_AT_TERRA_ON_RECONCILE = 'inactive at Terra during reconciliation';

/**
 * Each candidate for a disconnect is confirmed with its own userInfo call before it is disconnected: the
 * listing is offset-paginated, so a user deleted mid-walk shifts the pages and hides someone who still exists.
 * A disconnect is sticky, so it is worth one call; the cap bounds a run after a mass drift (the rest follow
 * on the next run).
 */
export const MAX_CONFIRMED_DISCONNECTS_PER_RUN = 200;

export interface ReconcileResult {
  terraUsers: number;
  disconnected: string[];
  created: string[];
  /** Terra user ids whose status or reference_id was corrected to Terra's. */
  corrected: string[];
  /** Corrections by kind, each also a connection_drift row. */
  drift: Partial<Record<DriftKind, number>>;
  /** Terra listed nobody while we have live connections: disconnects were withheld (see below). */
  disconnectsWithheld: boolean;
}

/**
 * Webhooks can be missed (terra-contract.md §5, S6-S7): compares Terra's user list with our connections and repairs
 * the drift. A live connection Terra no longer has -> disconnected; a Terra user we never heard of -> created
 * active (and the connect attempt it answers settled); an active connection Terra reports inactive -> errored;
 * a reference_id Terra holds differently -> Terra's. Only live rows (active, error) are touched, and only when
 * their state is older than the moment we asked Terra, so a webhook applied while the list was being fetched
 * wins. Each repair is its own transaction under the Terra user's lock, written through the state module
 * (libs/connections/src/state) with the events a webhook would have caused and a connection_drift row (the
 * kinds in drift.ts): missed webhooks become a number.
 */
@Injectable()
export class ConnectionReconciler {
  private readonly logger = new Logger(ConnectionReconciler.name);

  private readonly options: { onConnectBackfills: boolean };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(TERRA_USER_DIRECTORY) private readonly directory: TerraUserDirectory,
    @Optional() @Inject(APP_CONFIG) config?: OnConnectBackfillConfig,
  ) {
    this.options = { onConnectBackfills: onConnectBackfillsEnabled(config) };
  }

  async reconcile(): Promise<ReconcileResult> {
    const askedAt = new Date();
    const users = (await this.directory.listAllUsers()).filter((user) => typeof user.user_id === 'string' && user.user_id);
    const ids = users.map((user) => user.user_id);

    // An empty list while we hold live connections is far more likely a wrong dev-id or a reset sandbox than
    // every user leaving at once: disconnecting everyone is not undone by the next run, so it is withheld.
    const live: { count: string }[] = await this.dataSource.query(
      `SELECT count(*) AS count FROM terra_connections WHERE status IN ($1, $2)`,
      [ConnectionStatus.Active, ConnectionStatus.Error],
    );
    const disconnectsWithheld = ids.length === 0 && Number(live[0].count) > 0;
    const disconnected = disconnectsWithheld ? [] : await this.disconnectMissing(ids, askedAt);
    if (disconnectsWithheld) this.logger.warn('Terra listed no users while we have live connections: disconnects withheld');

    const drift: ReconcileResult['drift'] = {};
    const count = (kind: DriftKind) => (drift[kind] = (drift[kind] ?? 0) + 1);
    if (disconnected.length) drift.missed_deauth = disconnected.length;
    const created = await this.createUnknown(users, askedAt, count);
    const corrected = await this.correctKnown(users, askedAt, count);
    if (disconnected.length || created.length || corrected.length) {
      this.logger.warn(
        `Reconciliation repaired drift: ${disconnected.length} disconnected, ${created.length} created, ${corrected.length} corrected (${JSON.stringify(drift)})`,
      );
    }
    return { terraUsers: users.length, disconnected, created, corrected, drift, disconnectsWithheld };
  }

  /**
   * Terra users we have, whose state disagrees: active here and `active: false` there (a missed
   * connection_error: errored, as that webhook would have), or another reference_id there (ours corrected).
   * An errored connection Terra calls active is left alone: Terra keeps `active` true after a provider stops.
   */
  private async correctKnown(users: TerraUser[], askedAt: Date, count: (kind: DriftKind) => void): Promise<string[]> {
    if (users.length === 0) return [];
    const rows: { terra_user_id: string; connection_id: string; status: ConnectionStatus; reference_id: string | null }[] = await this.dataSource.query(
      `SELECT terra_user_id, connection_id, status, reference_id FROM terra_connections
        WHERE terra_user_id = ANY($1::text[]) AND status IN ($2, $3) AND (status_changed_at IS NULL OR status_changed_at < $4)`,
      [users.map((user) => user.user_id), ConnectionStatus.Active, ConnectionStatus.Error, askedAt],
    );
    const byId = new Map(users.map((user) => [user.user_id, user]));
    const corrected: string[] = [];
    for (const row of rows) {
      const user = byId.get(row.terra_user_id) as TerraUser;
      const inactive = row.status === ConnectionStatus.Active && user.active === false;
      const reference = typeof user.reference_id === 'string' && user.reference_id !== '' && user.reference_id !== row.reference_id ? user.reference_id : null;
      if (!inactive && reference === null) continue;
      const terraUserId = row.terra_user_id;
      const kinds: DriftKind[] = [];
      await withConnectionState(this.dataSource, terraUserId, { kind: 'reconcile' }, async (state) => {
        const ours = { status: row.status, reference_id: row.reference_id };
        const terra = { active: user.active ?? null, reference_id: user.reference_id ?? null, provider: user.provider ?? null };
        if (inactive) {
          const change = await state.markError({ terraUserId, provider: null, referenceId: null }, INACTIVE_AT_TERRA_ON_RECONCILE, askedAt);
          if (change) {
            await state.recordDrift({ kind: 'status_mismatch', terraUserId, connectionId: change.connectionId, ours, terra });
            kinds.push('status_mismatch');
          }
        }
        if (reference !== null && (await state.correctReference(terraUserId, reference, askedAt))) {
          await state.recordDrift({ kind: 'reference_mismatch', terraUserId, connectionId: row.connection_id, ours, terra });
          kinds.push('reference_mismatch');
        }
      }, this.options);
      kinds.forEach(count);
      if (kinds.length > 0) corrected.push(terraUserId);
    }
    return corrected;
  }

  private async disconnectMissing(ids: string[], askedAt: Date): Promise<string[]> {
    const candidates: { terra_user_id: string }[] = await this.dataSource.query(
      `SELECT terra_user_id FROM terra_connections
        WHERE status IN ($1, $2) AND created_at < $3 AND (status_changed_at IS NULL OR status_changed_at < $3)
          AND NOT (terra_user_id = ANY($4::text[]))
        ORDER BY id LIMIT $5`,
      [ConnectionStatus.Active, ConnectionStatus.Error, askedAt, ids, MAX_CONFIRMED_DISCONNECTS_PER_RUN],
    );
    const disconnected: string[] = [];
    for (const { terra_user_id: terraUserId } of candidates) {
      if ((await this.directory.getUser(terraUserId)) !== null) continue; // still at Terra: the listing missed it
      const changes = await withConnectionState(this.dataSource, terraUserId, { kind: 'reconcile' }, async (state) => {
        const change = await state.disconnectMissing(terraUserId, NOT_FOUND_AT_TERRA_ON_RECONCILE, askedAt);
        if (change) {
          await state.recordDrift({ kind: 'missed_deauth', terraUserId, connectionId: change.connectionId, ours: { status: change.from }, terra: null });
        }
      }, this.options);
      if (changes.length > 0) disconnected.push(terraUserId);
    }
    return disconnected;
  }

  private async createUnknown(users: TerraUser[], askedAt: Date, count: (kind: DriftKind) => void): Promise<string[]> {
    if (users.length === 0) return [];
    const known: { terra_user_id: string }[] = await this.dataSource.query(
      `SELECT terra_user_id FROM terra_connections WHERE terra_user_id = ANY($1::text[])`,
      [users.map((user) => user.user_id)],
    );
    const knownIds = new Set(known.map((row) => row.terra_user_id));
    const created: string[] = [];
    for (const user of users.filter((candidate) => !knownIds.has(candidate.user_id))) {
      // Terra's created_at (when sent) stands in for the auth time, so a deauth that happened after it and
      // is still in flight applies normally instead of being ordered before this row.
      const since = user.created_at && !Number.isNaN(Date.parse(user.created_at)) ? new Date(user.created_at) : askedAt;
      let kind: DriftKind = 'unknown_terra_user';
      const changes = await withConnectionState(this.dataSource, user.user_id, { kind: 'reconcile' }, async (state) => {
        const change = await state.createIfUnknown({
          terraUserId: user.user_id,
          referenceId: user.reference_id ?? null,
          provider: user.provider || 'UNKNOWN',
          // Terra's active:false means no more data will come: the person has to reconnect.
          status: user.active === false ? ConnectionStatus.Error : ConnectionStatus.Active,
          reason: user.active === false ? 'created by reconciliation; Terra reports it inactive' : 'created by reconciliation',
          scopes: parseTerraScopes(user.scopes) ?? [],
          since,
        });
        if (!change) return;
        // The auth webhook we missed would have settled the attempt it answered: so does its repair.
        const attempt = await state.settleAttempt({
          status: AttemptStatus.Succeeded,
          reason: null,
          terraUserId: user.user_id,
          provider: user.provider || null,
          referenceId: user.reference_id ?? null,
          sessionId: null,
          fallbackKinds: [AttemptKind.Widget, AttemptKind.Direct, AttemptKind.Mobile],
        });
        kind = attempt ? 'missed_auth' : 'unknown_terra_user';
        const terra = { active: user.active ?? null, reference_id: user.reference_id ?? null, provider: user.provider ?? null };
        await state.recordDrift({ kind, terraUserId: user.user_id, connectionId: change.connectionId, ours: null, terra });
      }, this.options);
      if (changes.length > 0) {
        created.push(user.user_id);
        count(kind);
      }
    }
    return created;
  }
}
