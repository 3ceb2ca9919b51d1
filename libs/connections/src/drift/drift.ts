/**
 * What reconciliation found Terra and us disagreeing about, each a correction it made. PERSISTED values
 * (connection_drift.kind, the `kind` label of drift_corrections_total) and part of the admin API.
 *
 * - `missed_deauth`: a live connection Terra no longer has (its deauth never reached us): disconnected.
 * - `missed_auth`: a Terra user we never heard of that answers a connect attempt of ours: created, attempt settled.
 * - `unknown_terra_user`: a Terra user we never heard of, no attempt of ours: created.
 * - `status_mismatch`: active here, inactive at Terra (its connection_error never reached us): errored.
 * - `reference_mismatch`: Terra holds another reference_id for the user (changed at Terra): ours corrected.
 */
export const DRIFT_KINDS = ['missed_deauth', 'missed_auth', 'unknown_terra_user', 'status_mismatch', 'reference_mismatch'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** One correction, as the state module records it (in the transaction that made it). */
export interface DriftCorrection {
  kind: DriftKind;
  terraUserId: string;
  connectionId: string | null;
  /** What we had (null: nothing). */
  ours: Record<string, unknown> | null;
  /** What Terra said (null: it does not have the user). */
  terra: Record<string, unknown> | null;
}

/** A recorded drift row, as the admin listing returns it. */
export interface DriftRecord extends DriftCorrection {
  id: string;
  detectedAt: Date;
}
