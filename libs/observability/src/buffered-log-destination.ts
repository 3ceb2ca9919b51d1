import pino, { type DestinationStream } from 'pino';

export interface BufferedLogOptions {
  /** Lines are written once this many bytes wait... */
  minBytes: number;
  /** ...or this long after the first of them, whichever comes first. */
  flushMs: number;
}

/** About a dozen request or job lines per write, and none waits more than a quarter of a second. */
export const LOG_BUFFERING: BufferedLogOptions = { minBytes: 4096, flushMs: 250 };

export interface BufferedLogDestination extends DestinationStream {
  /** Writes what waits, synchronously (then calls `done`, as pino's logger.flush(cb) expects). */
  flush(done?: (error?: Error) => void): void;
  /** Writes what waits, and every later line at once: for a shutdown, which may end in a signal and no exit event. */
  unbuffer(): void;
}

/**
 * Log lines to a file descriptor in batches: sonic-boom (pino's own destination) in sync mode with a minimum
 * length, plus a timer armed only while lines wait (sonic-boom's own `periodicFlush` ticks even when idle) and
 * an exit hook. A write per line was one system call per request in the API and per job in the worker, on this
 * kind of VM about as costly as a Postgres round trip; sonic-boom's async mode still made one write per line at
 * moderate load, plus a thread hand-off for each.
 *
 * Writes stay synchronous, as before (no memory grows behind a slow reader). What waits is written when the
 * process exits, and a graceful shutdown unbuffers first (Nest ends it by raising the signal again, and a
 * process killed by a signal emits no exit event); only a SIGKILL or a crash of node itself can lose the last
 * quarter second of lines.
 */
export function bufferedLogDestination(fd: number, options: BufferedLogOptions = LOG_BUFFERING): BufferedLogDestination {
  const stream = pino.destination({ dest: fd, sync: true, minLength: options.minBytes });
  let waiting = 0;
  let buffered = true;
  let timer: NodeJS.Timeout | undefined;
  const flush = (done?: (error?: Error) => void) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (waiting > 0) {
      waiting = 0;
      stream.flush();
    }
    done?.();
  };
  process.once('exit', () => flush());
  return {
    write(line: string) {
      waiting += Buffer.byteLength(line);
      stream.write(line);
      if (!buffered) return flush();
      // sonic-boom wrote everything itself once it held minBytes.
      if (waiting >= options.minBytes) {
        waiting = 0;
        if (timer) clearTimeout(timer);
        timer = undefined;
      } else if (!timer) {
        timer = setTimeout(() => flush(), options.flushMs);
        timer.unref();
      }
    },
    flush,
    unbuffer() {
      buffered = false;
      flush();
    },
  };
}
