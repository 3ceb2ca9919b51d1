import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import type { TransformFnParams } from 'class-transformer';

/** Terra resource names: upper-case letters, digits and underscores (FITBIT, GOOGLE_FIT, ...). */
export const PROVIDER_PATTERN = /^[A-Z0-9_]{1,64}$/;
export const PROVIDER_MESSAGE = (field: string) =>
  field.endsWith('s')
    ? `${field} must hold Terra provider names like FITBIT (letters, digits, _)`
    : `${field} must be a Terra provider name like FITBIT (letters, digits, _)`;

/**
 * ASCII letters only: String#toUpperCase maps `ı` to `I` and `ß` to `SS`, so `fıtbıt` would pass as FITBIT.
 * Anything that is not already a provider name in some case stays as it is and fails PROVIDER_PATTERN.
 */
function upperAscii(value: string): string {
  return value.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

export const toUpperCase = ({ value }: TransformFnParams): unknown => (typeof value === 'string' ? upperAscii(value) : value);

/** `providers` as a JSON array, or as Terra's own comma-separated string. */
export const toUpperCaseList = ({ value }: TransformFnParams): unknown => {
  const list = typeof value === 'string' ? value.split(',') : value;
  return Array.isArray(list) ? list.map((item) => (typeof item === 'string' ? upperAscii(item) : item)) : list;
};

/** Query strings carry text: only the literals true and false are booleans. */
export const toBoolean = ({ value }: TransformFnParams): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** Fails when this property and `other` are both given (null counts as absent, as with @IsOptional). */
export function NotTogetherWith(other: string, hint = '', options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notTogetherWith',
      target: target.constructor,
      propertyName,
      constraints: [other],
      options,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) =>
          (args.object as Record<string, unknown>)[other] == null,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} and ${other} are mutually exclusive${hint ? `: ${hint}` : ''}`,
      },
    });
}

/** An absolute URL with any scheme: https pages and app deep links (myapp://done) are both valid redirects. */
export function IsAbsoluteUrl(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAbsoluteUrl',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value) && URL.canParse(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be an absolute URL like https://app.example/done`,
      },
    });
}

/**
 * A reference we store, echo and log: not blank, no control characters (C0, DEL, C1: a CR/LF forges log
 * lines wherever it is printed). Everything else, unicode included, is the caller's to choose.
 */
export const REFERENCE_ID_PATTERN = /^(?!\s*$)[^\u0000-\u001f\u007f-\u009f]*$/;
export const REFERENCE_ID_MESSAGE = 'reference_id must not be blank or contain control characters';
