export * from './entities';
export * from './data-source';
export * from './migrator';
export * from './persistence.module';
export * from './sql-error-message';
export * from './typeorm-safe.logger';
export * from './terra-user.lock';
export * from './webhook-payload.purge';
