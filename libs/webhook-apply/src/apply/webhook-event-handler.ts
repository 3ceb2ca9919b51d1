import type { ConnectionStateTx } from '@terra-connections/connections';
import type { TerraEvent, TerraEventKind, TerraEventOf } from '@terra-connections/terra';
import type { EntityManager } from 'typeorm';

/** The inbox row being applied, without its payload: handlers get the parsed event instead. */
export interface InboxEvent {
  id: string;
  type: string;
  /** Ordering time: x-terra-ordering-timestamp, else the signature's `t`. */
  eventAt: Date;
  receivedAt: Date;
  terraUserId: string | null;
  /** The delivery's terra-reference header: the backfill request it answers, if any. */
  terraReference: string | null;
}

export interface EventContext<E extends TerraEvent = TerraEvent> {
  inbox: InboxEvent;
  /** The row's payload, parsed once by the applier: exactly the member of the kinds the handler registered. */
  event: E;
  /** The transaction that also marks the inbox row processed: everything commits together or not at all. */
  tx: EntityManager;
  /** Every connection write of this event goes through it (libs/connections/src/state), in `tx`. */
  state: ConnectionStateTx;
}

/** What the handler of kinds K receives (immich-style: the kind names the payload). */
export type EventContextOf<K extends TerraEventKind> = EventContext<TerraEventOf<K>>;

/** One small class per kind of event (or a few kinds that share one shape); registered in WEBHOOK_EVENT_HANDLERS. */
export interface WebhookEventHandler<K extends TerraEventKind = TerraEventKind> {
  readonly kinds: readonly K[];
  /**
   * The handler sets the connection's last_webhook_at itself, in an update it makes anyway (data events),
   * so the applier does not write the same row a second time.
   */
  readonly setsLastWebhookAt?: boolean;
  handle(context: EventContextOf<K>): Promise<void>;
}

/** Injection token: the list of every handler the applier dispatches to. */
export const WEBHOOK_EVENT_HANDLERS = Symbol('WEBHOOK_EVENT_HANDLERS');
