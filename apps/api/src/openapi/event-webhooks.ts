import { EVENT_CATALOGUE, EVENT_TYPES, eventEnvelopeSchema, type EventType } from '@terra-connections/connections';
import { z } from 'zod/v4';

type JsonObject = Record<string, unknown>;

/** `connection.scopes_changed` -> `ConnectionScopesChangedEvent`: the component of its body. */
export function eventSchemaName(type: EventType): string {
  const words = type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join('')}Event`;
}

/** The union of every event body, discriminated by `type`: for generators that want one type. */
export const EVENT_UNION_SCHEMA = 'OutboundEvent';

const HEADERS: Record<string, { name: string; description: string; example: string }> = {
  WebhookId: { name: 'webhook-id', description: 'The event id: the same on every attempt of every delivery of it', example: 'evt_2b1f0c9e8d7a4b3c9f0e1d2c3b4a5968' },
  WebhookTimestamp: { name: 'webhook-timestamp', description: 'Unix seconds when this attempt was signed', example: '1762336801' },
  WebhookSignature: {
    name: 'webhook-signature',
    description: "`v1,<base64>`, space-separated; two during a secret rotation's overlap. Verify with a Standard Webhooks library on the raw body.",
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
};

/**
 * The OpenAPI 3.1 `webhooks` section (one entry per event type, its body the Standard Webhooks envelope with
 * that type's `data`) and the components it refers to, all derived from EVENT_CATALOGUE.
 */
export function eventWebhooks(): { webhooks: JsonObject; schemas: JsonObject; parameters: JsonObject } {
  const webhooks: JsonObject = {};
  const schemas: JsonObject = {};
  for (const type of EVENT_TYPES) {
    const name = eventSchemaName(type);
    schemas[name] = { ...jsonSchemaOf(eventEnvelopeSchema(type)), description: EVENT_CATALOGUE[type].when };
    webhooks[type] = {
      post: {
        operationId: `on${name}`,
        summary: type,
        description: `${EVENT_CATALOGUE[type].when} Delivered to the webhook endpoints that subscribe to it (docs/events.md).`,
        tags: ['events'],
        parameters: Object.keys(HEADERS).map((key) => ({ $ref: `#/components/parameters/${key}` })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` }, example: exampleEnvelope(type) } },
        },
        responses: {
          '2XX': { description: 'Delivered' },
          '410': { description: 'Gone: the endpoint is disabled and gets no more deliveries until re-enabled' },
          default: { description: 'Anything else (or no answer within the deadline) is retried' },
        },
      },
    };
  }
  schemas[EVENT_UNION_SCHEMA] = {
    description: 'Any outbound event; `type` says which. Types may be added: keep a default branch.',
    oneOf: EVENT_TYPES.map((type) => ({ $ref: `#/components/schemas/${eventSchemaName(type)}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(EVENT_TYPES.map((type) => [type, `#/components/schemas/${eventSchemaName(type)}`])),
    },
  };
  const parameters = Object.fromEntries(
    Object.entries(HEADERS).map(([key, { name, description, example }]) => [
      key,
      { name, in: 'header', required: true, description, schema: { type: 'string' }, example },
    ]),
  );
  return { webhooks, schemas, parameters };
}

/** A full envelope around the catalogue's example of the type. */
export function exampleEnvelope(type: EventType): JsonObject {
  const { attached, example } = EVENT_CATALOGUE[type];
  return {
    id: 'evt_2b1f0c9e8d7a4b3c9f0e1d2c3b4a5968',
    type,
    timestamp: '2026-11-05T10:00:01.000Z',
    data: {
      connection_id: attached ? '6f1d2c3b-8a4e-4f01-9b2c-3d4e5f6a7b8c' : null,
      terra_user_id: '5220432c-8cb7-4afb-bcb7-0236903bcbfd',
      reference_id: 'user_123',
      provider: 'OURA',
      sequence: attached ? 1 : null,
      ...example,
    },
  };
}

/**
 * zod's JSON Schema, minus what would mislead a reader or a generator of the public contract:
 * `additionalProperties: false` (fields may be added to a type later; a consumer must accept them), the
 * dialect marker (3.1's default dialect is this one) and the safe-integer bounds zod adds to every integer.
 */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as JsonObject;
  return tidy(json) as JsonObject;
}

function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'additionalProperties' && child === false) continue;
    if ((key === 'maximum' && child === Number.MAX_SAFE_INTEGER) || (key === 'minimum' && child === Number.MIN_SAFE_INTEGER)) continue;
    out[key] = tidy(child);
  }
  return out;
}
