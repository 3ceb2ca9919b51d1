import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { compileErrors, validate } from '@readme/openapi-parser';
import { EVENT_TYPES } from '@terra-connections/connections';
import { eventSchemaName } from './event-webhooks';
import { COMMITTED_OPENAPI_FILE, generateOpenApiDocument } from './openapi-document';

/** Just enough of a JSON Schema and a webhook to read the document in the assertions. */
interface Schema {
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  oneOf?: unknown[];
  properties: Record<string, Schema>;
}
interface WebhookPost {
  parameters: { $ref: string }[];
  requestBody: { content: Record<string, { schema: { $ref: string }; example: { type: string } }> };
}

const committedPath = path.resolve(__dirname, '../../../..', COMMITTED_OPENAPI_FILE);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The committed docs/openapi.json is what the code generates, and it describes every /v1 route fully. */
describe('OpenAPI document', () => {
  let generated: string;
  let document: OpenAPIObject;

  beforeAll(async () => {
    generated = await generateOpenApiDocument();
    document = JSON.parse(generated) as OpenAPIObject;
  });

  it('is committed as docs/openapi.json, exactly as generated', () => {
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== generated) {
      throw new Error(
        `${COMMITTED_OPENAPI_FILE} is out of date with the controllers and DTOs of apps/api. ` +
          'Run `npm run openapi` and commit the result.',
      );
    }
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([route, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ route, method, op: item[method] as OperationObject })),
    );

  it('gives every /v1 route its auth, a success answer, its 400/401 errors and an operation id', () => {
    const v1 = operations().filter(({ route }) => route.startsWith('/v1/'));
    expect(v1.map(({ route, method }) => `${method.toUpperCase()} ${route}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/connections',
        'GET /v1/connections',
        'POST /v1/connections/mobile-token',
        'GET /v1/connections/{id}',
        'DELETE /v1/connections/{id}',
        'GET /v1/connections/{id}/data',
        'GET /v1/connections/{id}/events',
        'GET /v1/providers',
        'GET /v1/webhook-events',
        'POST /v1/webhook-events/replay-failed',
        'POST /v1/webhook-events/{id}/replay',
        'POST /v1/admin/reconcile',
        'GET /v1/events',
        'GET /v1/terra-deliveries',
        'POST /v1/terra-deliveries/{id}/replay',
        'GET /v1/connections/{id}/terra-deliveries',
        'POST /v1/webhook-endpoints',
        'GET /v1/webhook-endpoints/{id}/deliveries',
      ]),
    );
    const ids = v1.map(({ op }) => op.operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    for (const { route, method, op } of v1) {
      const where = `${method.toUpperCase()} ${route}`;
      const admin = ['/v1/webhook-events', '/v1/terra-deliveries', '/v1/webhook-endpoints', '/v1/admin'].some((prefix) => route.startsWith(prefix));
      expect({ where, security: op.security }).toEqual({ where, security: [{ [admin ? 'admin-key' : 'service-key']: [] }] });
      expect({ where, tags: op.tags }).toEqual({ where, tags: [admin ? 'admin' : expect.stringMatching(/^(connections|providers|events)$/)] });
      expect({ where, operationId: op.operationId }).toEqual({ where, operationId: expect.stringMatching(/^[a-z][A-Za-z]+$/) });
      const statuses = Object.keys(op.responses);
      expect({ where, ok: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({ where, ok: true });
      expect({ where, has401: statuses.includes('401') }).toEqual({ where, has401: true });
      const takesInput = (op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined;
      if (takesInput) expect({ where, has400: statuses.includes('400') }).toEqual({ where, has400: true });
      for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
        const schema = (op.responses[status] as { content?: Record<string, { schema?: { $ref?: string } }> }).content?.['application/json']?.schema;
        expect({ where, status, schema: schema?.$ref }).toEqual({ where, status, schema: '#/components/schemas/ApiErrorResponse' });
      }
    }
  });

  it('documents the Terra failures of the routes that call Terra, and the webhook and health routes without a key', () => {
    const op = (route: string, method: (typeof METHODS)[number]) => document.paths[route][method] as OperationObject;
    for (const [route, method] of [['/v1/connections', 'post'], ['/v1/connections/{id}', 'get'], ['/v1/connections/{id}', 'delete'], ['/v1/providers', 'get']] as const) {
      expect(Object.keys(op(route, method).responses)).toEqual(expect.arrayContaining(['502', '504']));
    }
    expect(op('/webhooks/terra', 'post').security).toBeUndefined();
    expect(Object.keys(op('/webhooks/terra', 'post').responses)).toEqual(['200', '400', '401', '413', '503']);
    expect(op('/health/ready', 'get').security).toBeUndefined();
    expect(document.paths['/metrics']).toBeUndefined();
    expect(document.components?.securitySchemes).toMatchObject({
      'service-key': { type: 'http', scheme: 'bearer' },
      'admin-key': { type: 'http', scheme: 'bearer' },
    });
  });

  it('is valid OpenAPI 3.1 for a real validator, with no 3.0-only `nullable` left', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(JSON.parse(generated));
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.warnings).toEqual([]);
    expect(generated).not.toMatch(/"nullable":/);
    // What was `{type: 'string', nullable: true}` in 3.0 is a type array: generated clients keep `string | null`.
    expect(document.components?.schemas?.ConnectionResponse).toMatchObject({
      properties: { status_reason: { type: ['string', 'null'] }, reference_id: { type: ['string', 'null'] } },
    });
    // The validator does check 3.1 rules: the same document declared 3.0 is refused (no `webhooks` in 3.0).
    const as30 = await validate({ ...JSON.parse(generated), openapi: '3.0.3' });
    expect(as30.valid).toBe(false);
  });

  it('describes every event type of the catalogue under `webhooks`: the Standard Webhooks headers and the envelope with its typed data', () => {
    const webhooks = (document as unknown as { webhooks: Record<string, { post: WebhookPost }> }).webhooks;
    expect(Object.keys(webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    const schemas = document.components?.schemas as unknown as Record<string, Schema>;
    for (const type of EVENT_TYPES) {
      const post = webhooks[type].post;
      const headers = post.parameters.map((p) => document.components?.parameters?.[p.$ref.split('/').pop() as string] as { name: string; in: string; required: boolean });
      expect(headers.map((h) => [h.name, h.in, h.required])).toEqual([
        ['webhook-id', 'header', true],
        ['webhook-timestamp', 'header', true],
        ['webhook-signature', 'header', true],
      ]);
      const body = post.requestBody.content['application/json'];
      expect({ type, ref: body.schema.$ref }).toEqual({ type, ref: `#/components/schemas/${eventSchemaName(type)}` });
      const envelope = schemas[eventSchemaName(type)];
      expect({ type, required: envelope.required, typeConst: envelope.properties.type.const }).toEqual({
        type,
        required: ['id', 'type', 'timestamp', 'data'],
        typeConst: type,
      });
      expect(envelope.properties.data.required).toEqual(
        expect.arrayContaining(['connection_id', 'terra_user_id', 'reference_id', 'provider', 'sequence']),
      );
      expect(body.example.type).toBe(type);
    }
    expect(schemas['DataReceivedEvent'].properties.data.properties).toMatchObject({
      count: { type: 'integer', minimum: 0 },
      dates: { type: 'array', items: { type: 'string', format: 'date' } },
    });
    expect(schemas['ConnectionDisconnectedEvent'].properties.data.properties.disconnected_by.enum).toEqual(
      ['api', 'deauth', 'reconciliation', 'refresh', 'auth_failed'],
    );
    expect(schemas['ConnectionAttemptFailedEvent'].properties.data.properties).toMatchObject({ connection_id: { type: 'null' }, sequence: { type: 'null' } });
    expect(schemas['OutboundEvent'].oneOf).toHaveLength(EVENT_TYPES.length);
  });
});
