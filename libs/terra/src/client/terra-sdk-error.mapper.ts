import { TerraError as SdkTerraError, TerraTimeoutError as SdkTerraTimeoutError } from 'terra-api';
import { TerraApiError, TerraTimeoutError, TerraUnavailableError, terraErrorForStatus } from './terra-api.errors';

/**
 * SDK errors -> our typed errors (terra-contract.md §1, "SDK error mapping"): `TerraTimeoutError` on a timeout, a
 * `TerraError` with `statusCode` on an HTTP error (Bad/NotFound/Unauthorized are subclasses), one without
 * `statusCode` on a connection error, and a `TerraError` carrying the raw text when the body is not JSON.
 * Anything else is a bug of ours and is rethrown untouched.
 */
export function fromSdkError(error: unknown, operation: string, timeoutSeconds: number): unknown {
  if (error instanceof TerraApiError) return error;
  if (error instanceof SdkTerraTimeoutError) {
    return new TerraTimeoutError(operation, `no answer within ${timeoutSeconds} s`);
  }
  if (error instanceof SdkTerraError) {
    const status = error.statusCode;
    // The SDK aborts with the string reason "timeout"; Node's fetch rejects with that string, so the SDK's
    // own AbortError branch never fires and a timeout arrives as a status-less TerraError('"timeout"').
    if (status === undefined && /^"?timeout"?$/.test(error.message)) {
      return new TerraTimeoutError(operation, `no answer within ${timeoutSeconds} s`);
    }
    if (status === undefined) return new TerraUnavailableError(operation, error.message || 'connection failed');
    if (status < 400) return new TerraUnavailableError(operation, 'Terra answered with a body that is not JSON', status);
    return terraErrorForStatus(operation, status, error.body);
  }
  return error;
}
