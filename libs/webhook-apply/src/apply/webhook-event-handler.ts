import type { EntityManager } from 'typeorm';

/** An inbox row as handlers see it. */
export interface InboxEvent {
  id: string;
  type: string;
  payload: unknown;
  /** Ordering time: x-terra-ordering-timestamp, else the signature's `t`. */
  eventAt: Date;
  receivedAt: Date;
  terraUserId: string | null;
}

export interface EventContext {
  event: InboxEvent;
  /** The transaction that also marks the inbox row processed: everything commits together or not at all. */
  tx: EntityManager;
}

/** One small class per event type; registered in WEBHOOK_EVENT_HANDLERS. */
export interface WebhookEventHandler {
  readonly types: readonly string[];
  /**
   * The handler sets the connection's last_webhook_at itself, in an update it makes anyway (data events),
   * so the applier does not write the same row a second time.
   */
  readonly setsLastWebhookAt?: boolean;
  handle(context: EventContext): Promise<void>;
}

/** Injection token: the list of every handler the applier dispatches to. */
export const WEBHOOK_EVENT_HANDLERS = Symbol('WEBHOOK_EVENT_HANDLERS');
