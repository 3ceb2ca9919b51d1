import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { storage, Store } from 'nestjs-pino/storage';
import { redactNested } from './log-redaction';

/**
 * Runs work with log fields bound, the way a request binds its request id: every Nest Logger line written
 * inside `fn` (by any class) carries `bindings`. The worker binds a job's request id and job id this way.
 */
@Injectable()
export class LogContext {
  constructor(private readonly pino: PinoLogger) {}

  run<T>(bindings: Record<string, unknown>, fn: () => T): T {
    // pino applies no formatter to a child's bindings, so they get the redaction walk here.
    return storage.run(new Store(this.pino.logger.child(redactNested(bindings))), fn);
  }
}
