import { toEventEnvelope, type EventFeedPage } from '@terra-connections/connections';
import type { EventPageResponse } from './event.responses';

/** The envelope is built by the lib (the worker sends the same bytes); the page shape is the API's. */
export function toEventPageResponse(page: EventFeedPage): EventPageResponse {
  return { data: page.items.map(toEventEnvelope), next_cursor: page.nextCursor };
}
