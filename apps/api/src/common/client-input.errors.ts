import { Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { sqlState } from '@terra-connections/persistence';
import type { ErrorBody } from './api-exception.filter';

const logger = new Logger('ClientInputErrors');

/**
 * zlib and brotli errors carry a numeric errno and a code such as Z_DATA_ERROR, Z_BUF_ERROR or
 * ERR__ERROR_FORMAT_PADDING_1. body-parser passes them on with status 400 but without the `type` its own
 * errors have, so without this they read as a bug of ours (500).
 */
function isDecompressionError(error: unknown): boolean {
  const e = error as { errno?: unknown; code?: unknown } | null;
  return (
    typeof e?.errno === 'number' &&
    typeof e.code === 'string' &&
    (e.code.startsWith('Z_') || e.code.startsWith('ERR__') || e.code.includes('BROTLI'))
  );
}

function body(status: number, message: string): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

/**
 * Errors that are the caller's input, not our failure, that reach the filter without an HTTP status: a body
 * that does not decompress, and a value Postgres refuses in a query (class 22, data exception: a date out of
 * range, a bad encoding; class 54, a statement too complex for it). Validation should stop such values first;
 * this is the net under it, so one that slips through is a 400, never a 500. The SQL state is logged, never
 * the statement or its values.
 */
export function clientInputErrorBody(error: unknown): ErrorBody | undefined {
  if (isDecompressionError(error)) {
    return body(400, 'Request body could not be decompressed: it is not valid data for its Content-Encoding');
  }
  const state = sqlState(error);
  if (state?.startsWith('22')) {
    logger.warn(`A query refused a request value (SQLSTATE ${state}): answered 400`);
    return body(400, 'A value in the request is malformed or out of range (for example a date, a time zone offset or a character)');
  }
  if (state?.startsWith('54')) {
    logger.warn(`A query hit a database limit on request input (SQLSTATE ${state}): answered 400`);
    return body(400, 'The request is too complex to process');
  }
  return undefined;
}
