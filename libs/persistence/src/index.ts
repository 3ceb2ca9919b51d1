export * from './entities';
export * from './data-source';
export * from './migrator';
export * from './persistence.module';
