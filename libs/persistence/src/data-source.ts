import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { TypeOrmSafeLogger } from './typeorm-safe.logger';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  /** application_name in pg_stat_activity: which process holds a connection. */
  applicationName?: string;
}

/**
 * The single definition of our DataSource, shared by the apps (through TypeOrmModule) and by the CLI
 * (migrate, schema check). Never `synchronize`: the schema only changes through reviewed migrations.
 */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    synchronize: false,
    // Errors and warnings only, through a logger that never prints query text or parameters (payloads).
    logging: ['error', 'warn'],
    logger: new TypeOrmSafeLogger(),
    applicationName: settings.applicationName ?? 'terra-connections',
    extra: {
      max: settings.poolSize ?? 10,
      // Idle pools that close connections in step stalled a 2-core box for 0.5 s: keep them open.
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: 5_000,
    },
  };
}

export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
