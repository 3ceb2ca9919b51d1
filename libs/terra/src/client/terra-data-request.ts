/** The data types Terra's REST data endpoints serve (terra-contract.md §2.10). */
export const TERRA_DATA_REQUEST_TYPES = ['activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation', 'athlete'] as const;

export type TerraDataRequestType = (typeof TERRA_DATA_REQUEST_TYPES)[number];

export function isTerraDataRequestType(value: unknown): value is TerraDataRequestType {
  return typeof value === 'string' && (TERRA_DATA_REQUEST_TYPES as readonly string[]).includes(value);
}

export interface TerraDataRequest {
  userId: string;
  type: TerraDataRequestType;
  /** YYYY-MM-DD, both ends included. Ignored for athlete. */
  startDate: string;
  endDate: string;
}

/** What Terra's rate-limit headers said about the user's day budget (terra-contract.md §11); null: not sent. */
export interface TerraRateBudget {
  limit: number | null;
  remaining: number | null;
  resetAfterSeconds: number | null;
}

/**
 * Terra's answer to a data request with `to_webhook=true` (terra-contract.md §2.10, §11):
 * - `sent`: one data webhook will carry `reference` (a range of a month or less);
 * - `large`: `large_request_processing`, then `large_request_sending` with `expected_payloads`, then the chunks, all
 *   under `reference`;
 * - `processing`: the provider is still fetching; ask again after `retryAfterSeconds`;
 * - `no_data`: nothing to send (NoDataReturned, or a provider without this type); `message` is Terra's.
 */
export type TerraDataAnswer = (
  | { kind: 'sent'; reference: string }
  | { kind: 'large'; reference: string }
  | { kind: 'processing'; retryAfterSeconds: number }
  | { kind: 'no_data'; message: string }
) & { budget: TerraRateBudget };
