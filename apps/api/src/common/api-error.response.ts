import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** The one error body of the API (Nest's shape); see ApiExceptionFilter. */
export class ApiErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ description: 'Human readable; names the offending field(s). Never a stack trace.', example: 'reference_id must be a string' })
  message!: string;
}

const WHEN: Record<number, string> = {
  400: 'Invalid input: a bad or unknown field, a body that is not a JSON object, malformed JSON, an unknown provider, a bad cursor; the message names the field',
  401: 'Missing, malformed or unknown API key',
  404: 'No such connection or webhook event (or Terra answered 404)',
  409: 'Conflict with the current state (e.g. the event is already processed)',
  413: 'Request body too large',
  502: 'Terra failed: it rejected our credentials, answered 5xx/429 after retries, or was unreachable',
  503: 'A backing service (job queue, inbox) is unavailable; retry later',
  504: 'Terra did not answer within TERRA_TIMEOUT_SECONDS',
};

/** Documents the error answers of a route, each with the common error body. */
export function ApiErrors(...statuses: (keyof typeof WHEN)[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: WHEN[status], type: ApiErrorResponse })));
}

/** Security scheme names of the OpenAPI document (openapi-document.ts). */
export const SERVICE_KEY_SCHEME = 'service-key';
export const ADMIN_KEY_SCHEME = 'admin-key';
