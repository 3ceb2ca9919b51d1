/**
 * BullMQ keeps `err.message` as the job's failedReason and `err.stack` in its stacktrace list, both in Redis
 * and on Bull Board: the frames name our files and paths, which is no business of anyone reading the queue.
 * The error keeps its class and message (what an operator needs), in place, so `instanceof` checks
 * (UnrecoverableError) still hold.
 */
export function withoutStackFrames<T>(error: T): T {
  if (error instanceof Error) error.stack = `${error.name}: ${error.message}`;
  return error;
}
