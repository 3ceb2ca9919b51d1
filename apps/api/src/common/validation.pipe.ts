import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { BoundedValidationPipe } from './bounded-validation.pipe';
import { boundedMessage } from './input-shape';

/** Every failed constraint as "<field> <problem>", nested fields as `a.b`, in one readable line. */
export function describeValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      parent && !message.startsWith(path) ? `${path}: ${message}` : message,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], path)];
  });
}

/**
 * The API's one ValidationPipe: unknown fields are an error (a typo must not pass silently), values are
 * transformed into the DTO types, and the 400 names the fields in a single message.
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(boundedMessage(describeValidationErrors(errors))),
  });
}
