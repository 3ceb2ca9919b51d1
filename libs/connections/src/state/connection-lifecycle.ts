import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@terra-connections/config';
import type { TerraUser } from '@terra-connections/terra';
import { DataSource } from 'typeorm';
import type { ConnectionChange } from './connection-change';
import { onConnectBackfillsEnabled, type OnConnectBackfillConfig } from '../backfills/backfill-trigger';
import { withConnectionState } from './with-connection-state';

/** How long an API request waits for a connection another transaction holds (ConnectionBusyError after). */
export const API_LOCK_TIMEOUT_MS = 5_000;

/** Persisted in status_reason; callers may match on it. */
export const DISCONNECTED_VIA_API = 'disconnected via API';

/** The connection changes the API makes itself, each in its own transaction under the Terra user's lock. */
@Injectable()
export class ConnectionLifecycle {
  private readonly onConnectBackfills: boolean;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(APP_CONFIG) config?: OnConnectBackfillConfig,
  ) {
    this.onConnectBackfills = onConnectBackfillsEnabled(config);
  }

  /**
   * After Terra deauthenticated the user: disconnected, and the person's data erased, in one transaction. The
   * lock comes first: a data event being applied right now either finishes before us (and its rows are
   * deleted) or sees `disconnected` (and skips).
   */
  disconnect(terraUserId: string): Promise<readonly ConnectionChange[]> {
    return withConnectionState(this.dataSource, terraUserId, { kind: 'api' }, async (state) => {
      await state.disconnectViaApi(terraUserId, DISCONNECTED_VIA_API);
      await state.erase(terraUserId);
    }, { lockTimeoutMs: API_LOCK_TIMEOUT_MS, onConnectBackfills: this.onConnectBackfills });
  }

  /**
   * Terra's userInfo answer (null: 404) applied to the row as it is now, read under the lock: a webhook applied
   * while Terra was being asked is not overwritten with a patch computed before it.
   */
  refreshFromTerra(terraUserId: string, user: TerraUser | null): Promise<readonly ConnectionChange[]> {
    return withConnectionState(this.dataSource, terraUserId, { kind: 'refresh' }, (state) => state.refreshFromTerra(terraUserId, user), {
      lockTimeoutMs: API_LOCK_TIMEOUT_MS,
      onConnectBackfills: this.onConnectBackfills,
    });
  }
}
