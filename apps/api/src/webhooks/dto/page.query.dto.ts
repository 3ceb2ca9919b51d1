import { PagedQuery } from '../../common/paged.query';

export const EVENTS_PAGE_MAX = 500;

/** `limit` and `cursor` of the webhook history routes (no payloads, so pages may be larger). */
export class PageQueryDto extends PagedQuery(EVENTS_PAGE_MAX) {}
