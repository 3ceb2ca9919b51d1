import { DynamicModule, Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { dataSourceOptions } from './data-source';
import { assertSchemaCurrent } from './migrator';

/** Refuses to let an app start on a schema older than its code. */
class SchemaGuard implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource) {}
  async onApplicationBootstrap(): Promise<void> {
    await assertSchemaCurrent(this.dataSource);
  }
}

@Global()
@Module({})
export class PersistenceModule {
  /** `poolSize` defaults to DATABASE_POOL_SIZE; the worker sizes it to its concurrency. */
  static forRoot(options: { applicationName: string; poolSize?: number }): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            dataSourceOptions({
              url: config.DATABASE_URL,
              poolSize: options.poolSize ?? config.DATABASE_POOL_SIZE,
              applicationName: options.applicationName,
            }),
        }),
      ],
      providers: [{ provide: SchemaGuard, inject: [DataSource], useFactory: (ds: DataSource) => new SchemaGuard(ds) }],
    };
  }
}
