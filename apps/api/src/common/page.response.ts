/** A page as the libs return it: the items of one keyset page and the cursor of the next, if any. */
export interface DomainPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every paginated route's body: `data` and `next_cursor` (null on the last page). */
export interface PageResponseBody<W> {
  data: W[];
  next_cursor: string | null;
}

/** One `toItem` per row and nothing else: the connection listing is the read internal services call most. */
export function toPageResponse<T, W>(page: DomainPage<T>, toItem: (item: T) => W): PageResponseBody<W> {
  return { data: page.items.map(toItem), next_cursor: page.nextCursor };
}
