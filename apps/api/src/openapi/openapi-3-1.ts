import type { OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI version of the document: 3.1 for its `webhooks` section (3.0 has none). */
export const OPENAPI_VERSION = '3.1.0';

type Json = unknown;

/**
 * @nestjs/swagger writes OpenAPI 3.0 schemas. 3.1's schemas are JSON Schema 2020-12, where `nullable` is gone:
 * `{type: 'string', nullable: true}` becomes `{type: ['string', 'null']}` (and a nullable enum lists null, a
 * nullable $ref or composition becomes `anyOf [it, {type: 'null'}]`). The rest of what Nest emits (`example`,
 * `format`, `$ref` with no siblings) means the same in both. Returns a converted copy.
 */
export function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  return { ...(convert(document) as OpenAPIObject), openapi: OPENAPI_VERSION };
}

function convert(value: Json): Json {
  if (Array.isArray(value)) return value.map(convert);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const [key, child] of Object.entries(source)) out[key] = convert(child);
  // Only a schema has a boolean `nullable` (a property named "nullable" maps to a schema object).
  if (typeof source.nullable !== 'boolean') return out;
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  const { description, ...schema } = out;
  return { ...(description === undefined ? {} : { description }), anyOf: [schema, { type: 'null' }] };
}
