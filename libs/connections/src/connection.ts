import type { ConnectionStatus } from '@terra-connections/persistence';

/**
 * A connection as the lib hands it out: one Terra user (one provider account) of one person. Reads return
 * their rows as they are (the entity, or a raw row with these property names): the API's mapper builds its
 * JSON from that in one step, so the hot listing builds one object per row, not two.
 */
export interface Connection {
  terraUserId: string;
  referenceId: string | null;
  provider: string;
  status: ConnectionStatus;
  scopes: string[];
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  lastWebhookAt: Date | null;
  lastSyncAt: Date | null;
  statusReason: string | null;
  /** The terra user id that superseded this one (status replaced). */
  replacedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of connections, oldest first; `nextCursor` is null on the last page. */
export interface ConnectionPage {
  items: Connection[];
  nextCursor: string | null;
}
