import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@terra-connections/config';
import { ApiModule } from '../api.module';
import { ADMIN_KEY_SCHEME, SERVICE_KEY_SCHEME } from '../common/api-error.response';
import { eventWebhooks } from './event-webhooks';
import { toOpenApi31 } from './openapi-3-1';

/** Where the API serves the Swagger UI and the JSON document. */
export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';
/** The committed copy (regenerate with `npm run openapi`; openapi-document.spec.ts fails when it drifts). */
export const COMMITTED_OPENAPI_FILE = 'docs/openapi.json';

/** The OpenAPI document of the API, built from the controllers and DTOs of a (possibly preview) app. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('terra-connections')
    .setDescription(
      'Connect end users to wearables through Terra, and read what their devices sent. Everything under /v1 needs ' +
        '`Authorization: Bearer <key>`: a key from API_KEYS, or from ADMIN_API_KEYS for the admin routes. Errors are ' +
        '`{"statusCode", "error", "message"}` with a message naming the field.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A key from API_KEYS' }, SERVICE_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A key from ADMIN_API_KEYS (admin routes)' }, ADMIN_KEY_SCHEME)
    .addTag('connections', 'Connect, disconnect, list and read connections of your users')
    .addTag('providers', 'What can be connected')
    .addTag('events', 'What changed: the outbound events feed, and the signed deliveries described under `webhooks` (docs/events.md)')
    .addTag('admin', 'Operators only (ADMIN_API_KEYS): dead letters, replay, reconciliation')
    .addTag('webhooks', "Terra's webhook destination (signed by Terra, no API key)")
    .addTag('health', 'Probes for orchestrators (no API key)')
    .build();
  return withEventWebhooks(toOpenApi31(withRenamedRoutes(SwaggerModule.createDocument(app, config))));
}

/**
 * The outbound events as OpenAPI 3.1 `webhooks` (what we send to a webhook endpoint), so a generated client has
 * a type per event. Built from the event catalogue, not from DTOs: the worker sends them, no controller does.
 */
function withEventWebhooks(document: OpenAPIObject): OpenAPIObject {
  const { webhooks, schemas, parameters } = eventWebhooks();
  const components = document.components ?? {};
  for (const name of Object.keys(schemas)) {
    if (components.schemas?.[name]) throw new Error(`OpenAPI component ${name} is both a DTO and an event schema`);
  }
  return {
    ...document,
    webhooks: webhooks as OpenAPIObject['webhooks'],
    components: {
      ...components,
      schemas: { ...components.schemas, ...(schemas as NonNullable<OpenAPIObject['components']>['schemas']) },
      parameters: { ...components.parameters, ...(parameters as NonNullable<OpenAPIObject['components']>['parameters']) },
    },
  };
}

/**
 * Inbound delivery history was renamed (issue 13: `events` means the outbound events). Each route is served
 * under both paths; in the document the new path gets its own operation id and the old one keeps its id (so
 * clients generated before keep their method names) and is marked deprecated.
 */
const RENAMED_ROUTES: { from: string; to: string; ids: Record<string, string> }[] = [
  {
    from: '/v1/webhook-events',
    to: '/v1/terra-deliveries',
    ids: { listWebhookEvents: 'listTerraDeliveries', replayFailedWebhookEvents: 'replayFailedTerraDeliveries', replayWebhookEvent: 'replayTerraDelivery' },
  },
  { from: '/v1/connections/{id}/events', to: '/v1/connections/{id}/terra-deliveries', ids: { listConnectionEvents: 'listConnectionTerraDeliveries' } },
];

function withRenamedRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const rename of RENAMED_ROUTES) {
      const isNew = path === rename.to || path.startsWith(`${rename.to}/`);
      const isOld = path === rename.from || path.startsWith(`${rename.from}/`);
      if (!isNew && !isOld) continue;
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        const operation = item[method];
        if (!operation?.operationId) continue;
        if (isNew) operation.operationId = rename.ids[operation.operationId] ?? operation.operationId;
        else {
          operation.deprecated = true;
          operation.description = `Deprecated alias of \`${rename.to}${path.slice(rename.from.length)}\`.`;
        }
      }
    }
  }
  return document;
}

/** Stable text of a document: what is committed and compared. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The document without a database, Redis or Terra: Nest's preview mode builds the module graph without
 * instantiating providers, which is all the document needs. The config is fixed, so the output does not
 * depend on the environment it runs in.
 */
export async function generateOpenApiDocument(): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEYS: 'docs', TERRA_WEBHOOK_SECRET: 'docs' });
  const app = await NestFactory.create(ApiModule.forRoot(config), { preview: true, logger: false, abortOnError: false });
  try {
    return serializeOpenApiDocument(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}
