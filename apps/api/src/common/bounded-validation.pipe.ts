import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { boundedMessage, inputShapeProblem } from './input-shape';

/**
 * Nest's ValidationPipe behind a bounds check (input-shape.ts) of every body, query and path parameter: one
 * place, so a field added tomorrow is covered without a decorator. A value Postgres cannot store (NUL, an
 * unpaired surrogate) is a 400 naming the field before any handler runs: before a Terra call, before a query.
 */
export class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const root = metadata.type === 'param' && typeof metadata.data === 'string' ? metadata.data : '';
      const problem = inputShapeProblem(value, root);
      if (problem) throw new BadRequestException(boundedMessage([problem]));
    }
    return super.transform(value, metadata);
  }
}
