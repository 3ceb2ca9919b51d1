export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The `t` this attempt was signed with: fresh per attempt (terra-contract.md §4). */
  signature_timestamp: number;
  status_code: number | null;
  error: string | null;
  /** True when a webhook fault armed through /sandbox/faults/webhook decided this attempt's outcome. */
  injected: boolean;
  duration_ms: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One webhook event on its way to the destination, with every attempt made so far. */
export interface DeliveryRecord {
  id: string;
  type: string;
  status: DeliveryStatus;
  /** `x-terra-trace-id`: stable across retries and shared by duplicates of the same event. */
  trace_id: string;
  terra_reference: string;
  /** `x-terra-ordering-timestamp` (ms), or null when the event has no recency anchor. */
  ordering_timestamp: number | null;
  user_ids: string[];
  duplicate_of: string | null;
  created_at: string;
  next_attempt_at: string | null;
  attempts: DeliveryAttempt[];
  /** The exact body sent on every attempt. */
  body: string;
}

/** What the control API shows: the body parsed back only when asked for. */
export function describeDelivery(record: DeliveryRecord, includePayload: boolean): Record<string, unknown> {
  const { body, ...rest } = record;
  return includePayload ? { ...rest, payload: JSON.parse(body) as unknown } : rest;
}
