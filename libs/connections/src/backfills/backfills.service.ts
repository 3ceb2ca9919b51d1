import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { ConnectionStatus, inTerraUserTx } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { resolveConnectionKey } from '../connection-resolver';
import { ConnectionInputError, ConnectionNotFoundError, InvalidCursorError } from '../connections.errors';
import { MOBILE_SDK_PROVIDERS } from '../freshness/freshness';
import { ProvidersService } from '../providers.service';
import {
  daysIn,
  FINISHED_BACKFILL_STATUSES,
  MOBILE_SDK_MESSAGE,
  todayUtc,
  type Backfill,
  type BackfillStatus,
} from './backfill.model';
import { insertRequests, isMobileSdkProvider, offeredTypes } from './backfill-planner';
import { readBackfills } from './backfill-read';
import { finishWithoutRequests } from './backfill-settle';

/** The longest range one on-demand backfill may cover: Terra's per-request limit (terra-contract.md §11). */
export const MAX_BACKFILL_DAYS = 1825;

export class BackfillNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No backfill ${id}`);
    this.name = new.target.name;
  }
}

export interface NewBackfill {
  types?: string[];
  startDate: string;
  endDate: string;
}

export interface BackfillPage {
  items: Backfill[];
  nextCursor: string | null;
}

type Config = Pick<AppConfig, 'BACKFILL_MAX_DAYS_PER_REQUEST' | 'BACKFILL_STALL_SECONDS'>;

/** Backfills as the API sees them: ask for one, list a connection's, read one. The worker does the rest. */
@Injectable()
export class BackfillsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ProvidersService,
    @Inject(APP_CONFIG) private readonly config: Config,
  ) {}

  /**
   * A backfill of the connection's current Terra id, `scheduled` (or `unsupported` for a mobile-SDK source).
   * Asking again for the same range and types while the first is unfinished returns the first: the requests
   * in flight are not doubled.
   */
  async create(id: string, input: NewBackfill): Promise<Backfill> {
    if (input.startDate > input.endDate) throw new ConnectionInputError('start_date must not be after end_date');
    if (input.endDate > todayUtc()) throw new ConnectionInputError(`end_date must not be in the future (today is ${todayUtc()} UTC)`);
    if (daysIn(input.startDate, input.endDate) > MAX_BACKFILL_DAYS) {
      throw new ConnectionInputError(`a backfill may span at most ${MAX_BACKFILL_DAYS} days`);
    }
    const connection = await this.currentOf(id);
    const catalogue = (await this.providers.catalogue()).providers.find((p) => p.provider === connection.provider?.toUpperCase());
    const mobile = isMobileSdkProvider(connection.provider, catalogue, MOBILE_SDK_PROVIDERS);
    const offered = offeredTypes(catalogue);
    const types = input.types ? [...new Set(input.types)].sort() : [...offered].sort();
    if (!mobile && input.types) {
      const unknown = types.filter((type) => !offered.includes(type));
      if (unknown.length > 0) {
        throw new ConnectionInputError(`types: ${unknown.join(', ')} not offered by ${connection.provider ?? 'this provider'} (offered: ${offered.join(', ') || 'none'})`);
      }
    }
    if (!mobile && types.length === 0) throw new ConnectionInputError(`${connection.provider ?? 'this provider'} offers no data type to backfill`);

    const backfillId = await inTerraUserTx(this.dataSource, connection.terraUserId, async (tx) => {
      const same: { id: string }[] = await tx.query(
        `SELECT id FROM backfills WHERE connection_id = $1 AND start_date = $2 AND end_date = $3 AND types = $4::text[]
           AND status <> ALL($5::text[]) ORDER BY created_at DESC LIMIT 1`,
        [connection.connectionId, input.startDate, input.endDate, types, FINISHED_BACKFILL_STATUSES],
      );
      if (same[0]) return same[0].id;
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO backfills (connection_id, terra_user_id, provider, trigger, start_date, end_date, types)
         VALUES ($1, $2, $3, 'api', $4, $5, $6) RETURNING id`,
        [connection.connectionId, connection.terraUserId, connection.provider, input.startDate, input.endDate, types],
      );
      const created = rows[0].id;
      if (mobile) await finishWithoutRequests(tx, created, 'unsupported', MOBILE_SDK_MESSAGE);
      else {
        await insertRequests(tx, { id: created, terraUserId: connection.terraUserId }, types, { start: input.startDate, end: input.endDate }, this.config.BACKFILL_MAX_DAYS_PER_REQUEST);
      }
      return created;
    });
    return this.get(backfillId);
  }

  async get(backfillId: string): Promise<Backfill> {
    const [backfill] = await readBackfills(this.dataSource, { ids: [backfillId] }, this.config.BACKFILL_STALL_SECONDS);
    if (!backfill) throw new BackfillNotFoundError(backfillId);
    return backfill;
  }

  /** Newest first, keyset-paginated. */
  async list(id: string, page: { limit: number; cursor?: string; status?: BackfillStatus }): Promise<BackfillPage> {
    const key = await resolveConnectionKey(this.dataSource, id);
    if (!key.known) throw new ConnectionNotFoundError(id);
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const items = await readBackfills(this.dataSource, { connectionId: key.connectionId, after, limit: page.limit + 1, status: page.status }, this.config.BACKFILL_STALL_SECONDS);
    const more = items.length > page.limit;
    const shown = items.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return { items: shown, nextCursor: more && last ? encodeCursor(last.listPosition, last.id) : null };
  }

  private async currentOf(id: string): Promise<{ connectionId: string; terraUserId: string; provider: string | null }> {
    const key = await resolveConnectionKey(this.dataSource, id);
    if (!key.known) throw new ConnectionNotFoundError(id);
    const rows: { terra_user_id: string; provider: string | null; status: ConnectionStatus }[] = await this.dataSource.query(
      `SELECT terra_user_id, provider, status FROM terra_connections WHERE connection_id = $1 AND is_current LIMIT 1`,
      [key.connectionId],
    );
    const current = rows[0];
    if (!current) throw new ConnectionNotFoundError(id);
    if (current.status !== ConnectionStatus.Active) {
      throw new ConnectionInputError(`the connection is ${current.status}: only an active connection can be backfilled`);
    }
    return { connectionId: key.connectionId, terraUserId: current.terra_user_id, provider: current.provider };
  }
}

function encodeCursor(listPosition: string, id: string): string {
  return Buffer.from(`${listPosition}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { listPosition: string; id: string } {
  const match = /^(-?\d{1,18})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return { listPosition: match[1], id: match[2] };
}
