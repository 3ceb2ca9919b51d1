import type { ConnectionStatus } from '@terra-connections/persistence';
import type { Freshness } from './freshness/freshness';

/**
 * A connection as the lib hands it out: one provider account of one person, with our own stable
 * `connectionId`, across every Terra user id a reconnect gave it (a `user_reauth` swaps the id; the connection
 * stays). Status, scopes and the other timestamps are the current Terra id's; `createdAt` is when the
 * connection was first seen. Reads return their rows as they are (raw rows with these property names): the
 * API's mapper builds its JSON from that in one step, so the hot listing builds one object per row, not two.
 */
export interface Connection {
  connectionId: string;
  /** The current Terra user id. */
  terraUserId: string;
  /** Every Terra user id the connection has had, oldest first; the last is `terraUserId`. */
  terraUserIds: string[];
  referenceId: string | null;
  provider: string;
  /** The current Terra id's status: never `replaced` (a connection is not replaced; its ids are). */
  status: ConnectionStatus;
  scopes: string[];
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  lastWebhookAt: Date | null;
  lastSyncAt: Date | null;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Whether data arrives as the connection's own rhythm says it should (see ConnectionFreshness). */
  freshness: Freshness;
  /** When data of any type last arrived. */
  lastDataAt: Date | null;
  /** When it went stale; null unless stale. */
  staleSince: Date | null;
}

/** One data type's freshness on the single connection's read. */
export interface TypeFreshness {
  type: string;
  lastReceivedAt: Date;
  /** The newest provider-side time (end, start or date) in the data of that type. */
  lastDataTime: Date | null;
  /** How long the type may be silent: learned from its own gaps, else the provider class's default. */
  windowMs: string;
  learned: boolean;
  /** Arrived often enough to have a rhythm: its silence counts. */
  expected: boolean;
  /** Silent past its window now. */
  overdue: boolean;
}

/** The single connection: with its freshness per data type. */
export interface ConnectionDetail extends Connection {
  freshnessTypes: TypeFreshness[];
}

/** One page of connections, oldest first; `nextCursor` is null on the last page. */
export interface ConnectionPage {
  items: Connection[];
  nextCursor: string | null;
}

/** The statuses a connection can have, and the `status` filter of a listing takes. */
export const CONNECTION_STATUSES = ['active', 'error', 'revoked', 'disconnected'] as const;
