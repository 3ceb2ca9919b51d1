import { sqlState, stripQuotedValues } from '@terra-connections/persistence';
import { PermanentEventError } from './permanent-event.error';

/**
 * Permanent: the payload itself cannot be applied (our own PermanentEventError, a JS error that the same
 * input throws again, or Postgres rejecting a value: class 22 data exception, class 23 integrity violation
 * other than a unique race, class 54 program limit). Everything else is
 * transient and retried: connection refused or reset, timeouts, deadlock (40P01), serialization failure
 * (40001), a restarting server (57P01, 08xxx). Unknown errors retry too: a retry costs a delay, a wrong
 * "permanent" costs an event until someone replays it.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof PermanentEventError || isDeterministicJsError(error)) return true;
  const state = sqlState(error);
  if (!state) return false;
  if (state === '23505') return false;
  // 54: a program limit (stack depth, statement too complex): the same payload hits it again.
  return state.startsWith('22') || state.startsWith('23') || state.startsWith('54');
}

/**
 * RangeError (a stack overflow or an invalid length while walking the payload), TypeError (our code meeting
 * a shape it did not expect) and SyntaxError come from the payload and our code alone, never from a backend:
 * running the same job again throws the same error, so retrying it for an hour is a loop, not a recovery.
 */
function isDeterministicJsError(error: unknown): boolean {
  return error instanceof RangeError || error instanceof TypeError || error instanceof SyntaxError;
}

/**
 * What goes into webhook_events.last_error (and the dead letter's reason): the error's kind and message,
 * bounded. For data exceptions and integrity violations (22, 23) Postgres quotes the offending value, which
 * came from the payload: those quoted values are stripped.
 */
export function describeFailure(error: unknown): string {
  const state = sqlState(error);
  const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = state && (state.startsWith('22') || state.startsWith('23')) ? stripQuotedValues(raw) : raw;
  return (state ? `[${state}] ${message}` : message).slice(0, 2000);
}
