import type { components, webhooks } from './schema';

/** The outbound event types this client knows (the OpenAPI document's `webhooks`). */
export type OutboundEventType = keyof webhooks & string;

/** The body of an event of type T: `{id, type, timestamp, data}` with the type's own `data`. */
export type OutboundEventOf<T extends OutboundEventType> = webhooks[T]['post']['requestBody']['content']['application/json'];

/** Any event: switch on `type` to get its `data` typed. A newer API may send types this client does not know. */
export type OutboundEvent = { [T in OutboundEventType]: OutboundEventOf<T> }[OutboundEventType];

/** An event as the feed (`GET /v1/events`) lists it: the same envelope, its `data` untyped beyond the connection fields. */
export type FeedEvent = components['schemas']['EventResponse'];

/** Narrows an event (a feed item, say) to one of the named types: `isOutboundEvent(item, 'data.received')`. */
export function isOutboundEvent<T extends OutboundEventType>(event: { type: string }, ...types: [T, ...T[]]): event is OutboundEventOf<T> {
  return (types as string[]).includes(event.type);
}
