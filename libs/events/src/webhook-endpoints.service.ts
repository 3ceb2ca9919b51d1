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

  list(): Promise<WebhookEndpoint[]> {
    return this.dataSource.query(`SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`);
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

  /** The clear secret, for signing (worker side). */
  openSecret(sealed: string): string {
    return this.box.open(sealed);
  }
}
