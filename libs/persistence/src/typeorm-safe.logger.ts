import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { sqlState, stripQuotedValues } from './sql-error-message';

/**
 * TypeORM's own loggers print the failed query with its PARAMETERS on the console; our inbox INSERT's
 * parameter is a whole raw webhook body, so one Postgres outage would dump health data into the logs.
 * This one goes through Nest's Logger (pino in the apps) and says only what failed: the SQLSTATE and the
 * message with quoted values stripped. Never the query text, never a parameter.
 */
export class TypeOrmSafeLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {
    // Per-query logging would be a firehose and would need the parameters to be useful: never on.
  }

  logQueryError(error: string | Error): void {
    const state = typeof error === 'string' ? undefined : sqlState(error);
    const message = stripQuotedValues(typeof error === 'string' ? error : error.message);
    this.logger.error(`query failed${state ? ` [${state}]` : ''}: ${message}`);
  }

  logQuerySlow(time: number): void {
    this.logger.warn(`slow query: ${time} ms`);
  }

  logSchemaBuild(): void {
    // synchronize is never on; schema changes go through migrations, logged by logMigration.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    // TypeORM's warnings are its own text (deprecations, pool notices), but stripped anyway in case one quotes a value.
    const text = stripQuotedValues(String(message));
    if (level === 'warn') this.logger.warn(text);
  }
}
