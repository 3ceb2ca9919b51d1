import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isCalendarDateOrDateTime } from '@terra-connections/persistence';

export { isCalendarDateOrDateTime };

export function IsCalendarDateOrDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDateOrDateTime',
      validator: {
        validate: isCalendarDateOrDateTime,
        defaultMessage: (args) => `${args?.property} must be a real date (YYYY-MM-DD) or an ISO 8601 date-time`,
      },
    },
    options,
  );
}
