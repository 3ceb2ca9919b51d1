import { HttpException } from '@nestjs/common';

/** Control endpoints answer in Nest's shape, like the product's own API. */
export function controlError(status: 404 | 409 | 400 | 410, message: string): HttpException {
  const error = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 410: 'Gone' }[status];
  return new HttpException({ statusCode: status, error, message }, status);
}
