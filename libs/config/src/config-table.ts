import { z } from 'zod';
import { COMPUTED_DEFAULTS, envSchema } from './env.schema';

export const CONFIG_TABLE_START = '<!-- config-table:start -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

export interface ConfigVariable {
  name: string;
  /** As shown in the table: a literal in backticks, a computed default in words, or `-`. */
  defaultValue: string;
  description: string;
}

/** The ZodObject under the schema's refine/transform wrappers. */
function objectShape(schema: z.ZodTypeAny): z.ZodRawShape {
  let current: z.ZodTypeAny = schema;
  while (current instanceof z.ZodEffects) current = current.innerType();
  if (!(current instanceof z.ZodObject)) throw new Error('envSchema is expected to wrap a z.object');
  return current.shape as z.ZodRawShape;
}

/** Walks optional/pipe/effects wrappers for the first description and the literal default, if any. */
function inspect(schema: z.ZodTypeAny): { description?: string; defaultValue?: unknown } {
  const found: { description?: string; defaultValue?: unknown } = {};
  let current: z.ZodTypeAny | undefined = schema;
  while (current) {
    found.description ??= current.description;
    if (current instanceof z.ZodDefault) {
      found.defaultValue ??= current._def.defaultValue();
      current = current._def.innerType;
    } else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current._def.innerType;
    } else if (current instanceof z.ZodEffects) {
      current = current._def.schema;
    } else if (current instanceof z.ZodPipeline) {
      current = current._def.in;
    } else {
      current = undefined;
    }
  }
  return found;
}

/** Every variable of the environment schema, in schema order. */
export function describeConfig(schema: z.ZodTypeAny = envSchema): ConfigVariable[] {
  return Object.entries(objectShape(schema)).map(([name, field]) => {
    const { description, defaultValue } = inspect(field);
    if (!description) throw new Error(`${name} has no .describe() text in env.schema.ts`);
    const shown =
      COMPUTED_DEFAULTS[name] ?? (defaultValue === undefined ? '-' : `\`${String(defaultValue)}\``);
    return { name, defaultValue: shown, description };
  });
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README's configuration table (markdown), rendered from the schema. */
export function renderConfigTable(schema: z.ZodTypeAny = envSchema): string {
  const rows = describeConfig(schema).map((v) => `| \`${v.name}\` | ${cell(v.defaultValue)} | ${cell(v.description)} |`);
  return ['| Variable | Default | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The text between the config-table markers of a markdown document, or undefined without both markers. */
export function extractConfigTable(markdown: string): string | undefined {
  const start = markdown.indexOf(CONFIG_TABLE_START);
  const end = markdown.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + CONFIG_TABLE_START.length, end).trim();
}
