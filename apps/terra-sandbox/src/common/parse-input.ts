import { HttpException } from '@nestjs/common';
import type { z } from 'zod';
import { terraError } from './terra-error';

/** Validates a Terra-facing body or query; a bad field answers 400 in Terra's shape, naming the field. */
export function parseTerraInput<T extends z.ZodTypeAny>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw terraError(400, describeIssues(result.error));
}

/** Validates a control-endpoint body; a bad field answers Nest's 400 shape, naming the field. */
export function parseControlInput<T extends z.ZodTypeAny>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new HttpException({ statusCode: 400, error: 'Bad Request', message: describeIssues(result.error) }, 400);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
