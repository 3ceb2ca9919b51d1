import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { sqlRows } from '@terra-connections/persistence';
import { DataSource } from 'typeorm';
import { generateSigningSecret, SecretBox } from './secret-box';
import { WEBHOOK_ENDPOINT_COLUMNS, type WebhookEndpoint } from './webhook-endpoint';
import { WebhookEndpointInputError, WebhookEndpointNotFoundError } from './webhook-endpoints.errors';

export interface NewWebhookEndpoint {
  url: string;
  eventTypes?: string[] | null;
  description?: string | null;
  includeData?: boolean;
}

export interface WebhookEndpointPatch {
  url?: string;
  eventTypes?: string[] | null;
  description?: string | null;
  enabled?: boolean;
}

/**
 * A delivery sent again: pending, a fresh round of attempts, enqueued by the dispatcher's next pass. Qualified
 * (`d`): an ON CONFLICT update sees the proposed row too.
 */
const REPLAY_SET = `status = 'pending', enqueued = false, replays = d.replays + 1, next_attempt_at = NULL, delivered_at = NULL, updated_at = now()`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** http and https only; no credentials in the URL (they would be logged and shown back). */
function checkedUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookEndpointInputError('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookEndpointInputError('url must use http or https');
  if (url.username || url.password) throw new WebhookEndpointInputError('url must not contain credentials');
  return url.toString();
}

/**
 * The webhook endpoints (admin). The signing secret is generated here, returned once by `create`, and stored
 * only sealed with EVENT_SECRETS_KEY. Where a URL may point (no metadata, private only when allowed) is
 * checked when sending, on the address actually connected to: a name checked here could resolve elsewhere later.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly box: SecretBox;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'EVENT_SECRETS_KEY'>,
  ) {
    this.box = new SecretBox(config.EVENT_SECRETS_KEY);
  }

  async create(input: NewWebhookEndpoint): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const secret = generateSigningSecret();
    const rows: WebhookEndpoint[] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (url, event_types, description, include_data, secret_encrypted)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${WEBHOOK_ENDPOINT_COLUMNS}`,
      [checkedUrl(input.url), input.eventTypes ?? null, input.description ?? null, input.includeData ?? false, this.box.seal(secret)],
    );
    return { endpoint: rows[0], secret };
  }

  /** Oldest first, keyset pages on (created_at, id) like every other list; the cursor is opaque. */
  async list(page: { limit: number; cursor?: string }): Promise<{ items: WebhookEndpoint[]; nextCursor: string | null }> {
    const params: unknown[] = [page.limit + 1];
    let after = '';
    if (page.cursor !== undefined) {
      const position = decodeEndpointCursor(page.cursor);
      params.push(position.createdAt, position.id);
      after = `WHERE (created_at, id) > ($2::timestamptz, $3::uuid)`;
    }
    const rows: (WebhookEndpoint & { position: string })[] = await this.dataSource.query(
      `SELECT ${WEBHOOK_ENDPOINT_COLUMNS}, created_at::text AS position FROM webhook_endpoints ${after} ORDER BY created_at, id LIMIT $1`,
      params,
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > page.limit && last ? Buffer.from(JSON.stringify([last.position, last.id]), 'utf8').toString('base64url') : null;
    return { items: items.map(({ position: _position, ...endpoint }) => endpoint), nextCursor };
  }

  async get(id: string): Promise<WebhookEndpoint> {
    if (!UUID.test(id)) throw new WebhookEndpointNotFoundError(id);
    const rows: WebhookEndpoint[] = await this.dataSource.query(`SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    if (!rows[0]) throw new WebhookEndpointNotFoundError(id);
    return rows[0];
  }

  /** Re-enabling clears the reason it was disabled. */
  async update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    await this.get(id);
    const rows = sqlRows<WebhookEndpoint>(
      await this.dataSource.query(
      `UPDATE webhook_endpoints SET
         url = COALESCE($2::text, url),
         event_types = CASE WHEN $3::boolean THEN $4::text[] ELSE event_types END,
         description = CASE WHEN $5::boolean THEN $6::text ELSE description END,
         enabled = COALESCE($7::boolean, enabled),
         disabled_reason = CASE WHEN $7::boolean IS NULL THEN disabled_reason WHEN $7::boolean THEN NULL ELSE 'disabled via API' END,
         updated_at = now()
       WHERE id = $1 RETURNING ${WEBHOOK_ENDPOINT_COLUMNS}`,
      [
        id,
        patch.url === undefined ? null : checkedUrl(patch.url),
        patch.eventTypes !== undefined,
        patch.eventTypes ?? null,
        patch.description !== undefined,
        patch.description ?? null,
        patch.enabled ?? null,
      ],
      ),
    );
    if (!rows[0]) throw new WebhookEndpointNotFoundError(id);
    return rows[0];
  }

  /** Its deliveries and their attempts go with it; jobs still queued find nothing and end. */
  async remove(id: string): Promise<void> {
    if (!UUID.test(id)) throw new WebhookEndpointNotFoundError(id);
    const [, affected]: [unknown, number] = await this.dataSource.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
    if (!affected) throw new WebhookEndpointNotFoundError(id);
  }

  /**
   * A new secret; the current one keeps signing beside it (two signatures per delivery) for `overlapSeconds`,
   * so receivers can move to the new one without a window of failures. Returns the new secret (shown once).
   */
  async rotateSecret(id: string, overlapSeconds: number): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    await this.get(id);
    const secret = generateSigningSecret();
    const rows = sqlRows<{ expires: Date }>(
      await this.dataSource.query(
        `UPDATE webhook_endpoints SET previous_secret_encrypted = secret_encrypted, secret_encrypted = $2,
           previous_secret_expires_at = now() + make_interval(secs => $3), updated_at = now()
         WHERE id = $1 RETURNING previous_secret_expires_at AS expires`,
        [id, this.box.seal(secret), overlapSeconds],
      ),
    );
    if (!rows[0]) throw new WebhookEndpointNotFoundError(id);
    return { secret, previousSecretExpiresAt: rows[0].expires };
  }

  /**
   * Sends one delivery again, whatever its state (a new round of attempts under a new job id): the worker's
   * dispatcher enqueues it within a pass. False when the endpoint has no such delivery.
   */
  async replayDelivery(endpointId: string, deliveryId: string): Promise<boolean> {
    await this.get(endpointId);
    if (!/^\d{1,18}$/.test(deliveryId)) return false;
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE event_deliveries d SET ${REPLAY_SET} WHERE d.id = $1 AND d.endpoint_id = $2`,
      [deliveryId, endpointId],
    );
    return affected > 0;
  }

  /** Every event since `since` the endpoint subscribes to, delivered (again): new deliveries or replays. */
  async replaySince(endpointId: string, since: Date): Promise<number> {
    await this.get(endpointId);
    const rows = sqlRows<{ id: string }>(
      await this.dataSource.query(
        `INSERT INTO event_deliveries AS d (endpoint_id, event_row_id)
         SELECT w.id, e.id FROM events e JOIN webhook_endpoints w ON w.id = $1
         WHERE e.created_at >= $2 AND (w.event_types IS NULL OR e.type = ANY(w.event_types))
         ORDER BY e.id
         ON CONFLICT (endpoint_id, event_row_id) DO UPDATE SET ${REPLAY_SET}
         RETURNING id`,
        [endpointId, since],
      ),
    );
    return rows.length;
  }

  /** The clear secret, for signing (worker side). */
  openSecret(sealed: string): string {
    return this.box.open(sealed);
  }
}

/** A cursor of the endpoint list: [created_at as Postgres printed it, id]; anything else is the caller's mistake. */
function decodeEndpointCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(value[0]) &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new WebhookEndpointInputError('cursor is invalid: pass back the next_cursor of a previous page');
}
