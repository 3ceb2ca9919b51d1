import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@terra-connections/config';
import { DataSource } from 'typeorm';
import { ConnectionStatus, queryPreparedOnPool } from '@terra-connections/persistence';
import { TerraGateway } from '@terra-connections/terra';
import { decodeCursor, encodeCursor } from './connection-cursor';
import type { Connection, ConnectionDetail, ConnectionPage, TypeFreshness } from './connection';
import { CONNECTION_FRESHNESS_TYPES, CONNECTION_GET, connectionIdParams, listStatement } from './connection-read.sql';
import type { Freshness, FreshnessSettings } from './freshness/freshness';
import { freshnessSettingsOf, type FreshnessConfig } from './freshness/freshness-evaluator';
import { windowParams } from './freshness/freshness-window.sql';
import { ConnectionInputError, ConnectionNotFoundError } from './connections.errors';
import { ConnectionLifecycle } from './state/connection-lifecycle';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface ListConnectionsFilter {
  referenceId?: string;
  provider?: string;
  /** The current Terra id's status; `replaced` is refused (ConnectionInputError). */
  status?: ConnectionStatus;
  /** fresh, stale or unknown; `stale` is served by its own partial index. */
  freshness?: Freshness;
  /** Clamped to 1..MAX_PAGE_SIZE. */
  limit?: number;
  cursor?: string;
}

export const REPLACED_IS_NOT_A_CONNECTION_STATUS =
  'status=replaced matches no connection: a reconnect replaces a Terra user id, never the connection, which keeps ' +
  'every id it had in terra_user_ids; filter by active, error, revoked or disconnected';

type ConnectionRow = Connection & { seq: string };

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly gateway: TerraGateway,
    private readonly lifecycle: ConnectionLifecycle,
    @Inject(APP_CONFIG) config: FreshnessConfig,
  ) {
    this.freshness = freshnessSettingsOf(config);
  }

  private readonly freshness: FreshnessSettings;

  /**
   * One row per connection, keyset-paginated by the connection's listing key (its first row's): stable under
   * concurrent inserts and reconnects, and as cheap on page 100 as on page 1.
   */
  async list(filter: ListConnectionsFilter = {}): Promise<ConnectionPage> {
    if (filter.status === ConnectionStatus.Replaced) throw new ConnectionInputError(REPLACED_IS_NOT_A_CONNECTION_STATUS);
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const values: unknown[] = [limit + 1];
    let mask = 0;
    for (const [bit, value] of [after, filter.referenceId, filter.provider, filter.status].entries()) {
      if (value === undefined) continue;
      mask |= 1 << bit;
      values.push(value);
    }
    const rows = await queryPreparedOnPool<ConnectionRow>(this.dataSource, listStatement(mask, filter.freshness), values);
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].seq) : null,
    };
  }

  /** The connection `id` names: its connection_id or any of its Terra user ids, current or old. */
  async get(id: string): Promise<Connection> {
    const rows = await queryPreparedOnPool<ConnectionRow>(this.dataSource, CONNECTION_GET, connectionIdParams(id));
    if (!rows[0]) throw new ConnectionNotFoundError(id);
    return rows[0];
  }

  /** The connection with its freshness per data type (the windows as configured now). */
  async detail(id: string, refresh = false): Promise<ConnectionDetail> {
    const connection = refresh ? await this.refresh(id) : await this.get(id);
    const freshnessTypes = await this.dataSource.query<TypeFreshness[]>(CONNECTION_FRESHNESS_TYPES, [
      connection.connectionId,
      ...windowParams(this.freshness),
    ]);
    return { ...connection, freshnessTypes };
  }

  /** The active current Terra user ids of one person: the widget shows them as already connected. */
  async activeUserIds(referenceId: string, max = 100): Promise<string[]> {
    const rows: { terra_user_id: string }[] = await this.dataSource.query(
      `SELECT terra_user_id FROM terra_connections
       WHERE reference_id = $1 AND is_current AND status = $2 ORDER BY connection_seq LIMIT $3`,
      [referenceId, ConnectionStatus.Active, max],
    );
    return rows.map((row) => row.terra_user_id);
  }

  /** Asks Terra (userInfo) about the connection's current id and brings its row in line with the answer. */
  async refresh(id: string): Promise<Connection> {
    const connection = await this.get(id);
    const user = await this.gateway.getUser(connection.terraUserId);
    await this.lifecycle.refreshFromTerra(connection.terraUserId, user);
    return this.get(connection.connectionId);
  }

  /**
   * Deauthenticates the connection's current Terra id at Terra, then marks it disconnected and deletes the
   * connection's health data in one transaction; `id` may be any of its ids. Idempotent: an already
   * disconnected connection is answered as is, without asking Terra again.
   */
  async disconnect(id: string): Promise<Connection> {
    const connection = await this.get(id);
    if (connection.status === ConnectionStatus.Disconnected) return connection;

    // Terra first: if it fails we keep the connection, so the caller can retry and nothing is half done.
    const outcome = await this.gateway.deauthenticateUser(connection.terraUserId);
    await this.lifecycle.disconnect(connection.terraUserId);
    this.logger.log(`Connection ${connection.connectionId} (${connection.terraUserId}) disconnected via API (Terra: ${outcome})`);
    return this.get(connection.connectionId);
  }
}
