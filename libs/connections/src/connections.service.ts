import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import {
  ConnectionStatus,
  lockTerraUser,
  preparedStatement,
  purgeProcessedWebhookPayloads,
  queryPreparedOnPool,
  type PreparedStatement,
  TerraConnectionEntity,
} from '@terra-connections/persistence';
import { TerraGateway, type TerraUser } from '@terra-connections/terra';
import { decodeCursor, encodeCursor } from './connection-cursor';
import type { Connection, ConnectionPage } from './connection';
import { parseTerraScopes } from './connection.view';
import { ConnectionNotFoundError } from './connections.errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Persisted in status_reason; callers may match on it. */
export const DISCONNECTED_VIA_API = 'disconnected via API';
export const NOT_FOUND_AT_TERRA = 'Terra no longer knows this user (found on refresh)';
export const INACTIVE_AT_TERRA = 'Terra reports the connection inactive: the user must reconnect';

export interface ListConnectionsFilter {
  referenceId?: string;
  provider?: string;
  status?: ConnectionStatus;
  /** Clamped to 1..MAX_PAGE_SIZE. */
  limit?: number;
  cursor?: string;
}

/** Statuses a Terra answer on refresh must not undo: the row is superseded or we ended it. */
const SETTLED_ON_REFRESH = new Set<ConnectionStatus>([
  ConnectionStatus.Replaced,
  ConnectionStatus.Disconnected,
  ConnectionStatus.Revoked,
]);

type ConnectionRow = Connection & { id: string };

/** A Connection's columns, named as its properties (and the entity's), plus the id the cursor needs. */
const CONNECTION_COLUMNS = `id, terra_user_id AS "terraUserId", reference_id AS "referenceId", provider, status, scopes,
  connected_at AS "connectedAt", disconnected_at AS "disconnectedAt", last_webhook_at AS "lastWebhookAt",
  last_sync_at AS "lastSyncAt", status_reason AS "statusReason", replaced_by AS "replacedBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** One condition per filter, in the order of the bits of `mask`; $1 is the row limit. */
const LIST_FILTERS = ['id > $::bigint', 'reference_id = $', 'provider = $', 'status = $'];
const listStatements = new Map<number, PreparedStatement>();

/**
 * The list query for one combination of filters (at most 16), as a prepared statement: the listing is the
 * read internal services call most, and each shape keeps its own plan (an index range scan from the cursor
 * on (reference_id, id) or the primary key).
 */
function listStatement(mask: number): PreparedStatement {
  let statement = listStatements.get(mask);
  if (!statement) {
    const conditions: string[] = [];
    LIST_FILTERS.forEach((condition, bit) => {
      if (mask & (1 << bit)) conditions.push(condition.replace('$', `$${conditions.length + 2}`));
    });
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    statement = preparedStatement(`tc_connections_list_${mask}`, `SELECT ${CONNECTION_COLUMNS} FROM terra_connections ${where} ORDER BY id LIMIT $1`);
    listStatements.set(mask, statement);
  }
  return statement;
}

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly gateway: TerraGateway,
  ) {}

  private get connections(): Repository<TerraConnectionEntity> {
    return this.dataSource.getRepository(TerraConnectionEntity);
  }

  /** Keyset pagination by id: stable under concurrent inserts, and as cheap on page 100 as on page 1. */
  async list(filter: ListConnectionsFilter = {}): Promise<ConnectionPage> {
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const values: unknown[] = [limit + 1];
    let mask = 0;
    for (const [bit, value] of [after, filter.referenceId, filter.provider, filter.status].entries()) {
      if (value === undefined) continue;
      mask |= 1 << bit;
      values.push(value);
    }
    const rows = await queryPreparedOnPool<ConnectionRow>(this.dataSource, listStatement(mask), values);
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null,
    };
  }

  async get(terraUserId: string): Promise<Connection> {
    return this.findOrThrow(terraUserId);
  }

  /** The active Terra user ids of one person: the widget shows them as already connected. */
  async activeUserIds(referenceId: string, max = 100): Promise<string[]> {
    const rows = await this.connections.find({
      select: { id: true, terraUserId: true },
      where: { referenceId, status: ConnectionStatus.Active },
      order: { id: 'ASC' },
      take: max,
    });
    return rows.map((row) => row.terraUserId);
  }

  /** Asks Terra (userInfo) and brings the row in line with its answer. */
  async refresh(terraUserId: string): Promise<Connection> {
    const row = await this.findOrThrow(terraUserId);
    const user = await this.gateway.getUser(terraUserId);
    const patch = user ? this.patchFromTerra(row, user) : this.patchForMissingUser(row);
    if (Object.keys(patch).length > 0) await this.connections.update({ id: row.id }, patch);
    return this.findOrThrow(terraUserId);
  }

  /**
   * Deauthenticates at Terra, then marks the row disconnected and deletes its health data in one transaction.
   * Idempotent: an already disconnected row is answered as is, without asking Terra again.
   */
  async disconnect(terraUserId: string): Promise<Connection> {
    const row = await this.findOrThrow(terraUserId);
    if (row.status === ConnectionStatus.Disconnected) return row;

    // Terra first: if it fails we keep the connection, so the caller can retry and nothing is half done.
    const outcome = await this.gateway.deauthenticateUser(terraUserId);
    await this.dataSource.transaction(async (manager) => {
      // The worker takes this lock before it touches the user's rows: taken first here too, a data event being
      // applied right now either finishes before us (and its rows are deleted) or sees `disconnected` (and skips).
      await lockTerraUser(manager, terraUserId);
      // `status <> 'disconnected'` keeps the first of two racing DELETEs as the one that is recorded.
      await manager.query(
        `UPDATE terra_connections
            SET status = 'disconnected', disconnected_at = now(), status_reason = $2,
                status_changed_at = now(), updated_at = now()
          WHERE terra_user_id = $1 AND status <> 'disconnected'`,
        [terraUserId, DISCONNECTED_VIA_API],
      );
      await manager.query('DELETE FROM health_data WHERE terra_user_id = $1', [terraUserId]);
      // The inbox kept the raw bodies: the person's data goes from there too (rows and dedup keys stay).
      await purgeProcessedWebhookPayloads(manager, terraUserId);
    });
    this.logger.log(`Connection ${terraUserId} disconnected via API (Terra: ${outcome})`);
    return this.findOrThrow(terraUserId);
  }

  private patchFromTerra(row: TerraConnectionEntity, user: TerraUser): Partial<TerraConnectionEntity> {
    const patch: Partial<TerraConnectionEntity> = {};
    if (user.provider && user.provider.toUpperCase() !== row.provider) patch.provider = user.provider.toUpperCase();
    if (user.reference_id && user.reference_id !== row.referenceId) patch.referenceId = user.reference_id;
    if (user.scopes !== undefined && user.scopes !== null) {
      const scopes = parseTerraScopes(user.scopes);
      if (scopes.join(',') !== row.scopes.join(',')) patch.scopes = scopes;
    }
    const lastWebhook = user.last_webhook_update ? new Date(user.last_webhook_update) : null;
    if (lastWebhook && !Number.isNaN(lastWebhook.getTime()) && (!row.lastWebhookAt || lastWebhook > row.lastWebhookAt)) {
      patch.lastWebhookAt = lastWebhook;
    }
    if (!SETTLED_ON_REFRESH.has(row.status)) {
      const status = user.active === false ? ConnectionStatus.Error : ConnectionStatus.Active;
      if (status !== row.status) {
        const now = new Date();
        patch.status = status;
        patch.statusReason = status === ConnectionStatus.Active ? null : INACTIVE_AT_TERRA;
        patch.statusChangedAt = now;
        if (status === ConnectionStatus.Active) {
          patch.disconnectedAt = null;
          if (!row.connectedAt) patch.connectedAt = now;
        }
      }
    }
    return patch;
  }

  private patchForMissingUser(row: TerraConnectionEntity): Partial<TerraConnectionEntity> {
    if (SETTLED_ON_REFRESH.has(row.status)) return {};
    const now = new Date();
    return {
      status: ConnectionStatus.Disconnected,
      statusReason: NOT_FOUND_AT_TERRA,
      statusChangedAt: now,
      disconnectedAt: now,
    };
  }

  private async findOrThrow(terraUserId: string): Promise<TerraConnectionEntity> {
    const row = await this.connections.findOne({ where: { terraUserId } });
    if (!row) throw new ConnectionNotFoundError(terraUserId);
    return row;
  }
}
