import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import {
  ConnectionStatus,
  preparedStatement,
  queryPreparedOnPool,
  type PreparedStatement,
  TerraConnectionEntity,
} from '@terra-connections/persistence';
import { TerraGateway } from '@terra-connections/terra';
import { decodeCursor, encodeCursor } from './connection-cursor';
import type { Connection, ConnectionPage } from './connection';
import { ConnectionNotFoundError } from './connections.errors';
import { ConnectionLifecycle } from './state/connection-lifecycle';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface ListConnectionsFilter {
  referenceId?: string;
  provider?: string;
  status?: ConnectionStatus;
  /** Clamped to 1..MAX_PAGE_SIZE. */
  limit?: number;
  cursor?: string;
}

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
    private readonly lifecycle: ConnectionLifecycle,
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

  /** Asks Terra (userInfo) and brings the row in line with its answer (libs/connections/src/state). */
  async refresh(terraUserId: string): Promise<Connection> {
    await this.findOrThrow(terraUserId);
    const user = await this.gateway.getUser(terraUserId);
    await this.lifecycle.refreshFromTerra(terraUserId, user);
    return this.get(terraUserId);
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
    await this.lifecycle.disconnect(terraUserId);
    this.logger.log(`Connection ${terraUserId} disconnected via API (Terra: ${outcome})`);
    return this.get(terraUserId);
  }

  private async findOrThrow(terraUserId: string): Promise<TerraConnectionEntity> {
    const row = await this.connections.findOne({ where: { terraUserId } });
    if (!row) throw new ConnectionNotFoundError(terraUserId);
    return row;
  }
}
