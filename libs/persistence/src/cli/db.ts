import 'reflect-metadata';
import { loadConfigOrExit } from '@terra-connections/config';
import { createDataSource } from '../data-source';
import { runMigrations, schemaDrift } from '../migrator';

/**
 * `db migrate` applies pending migrations; `db check` fails when the entities and the migrations disagree
 * (the SQL a `migration:generate` would write is printed). Used by `npm run db:migrate` and by CI.
 */
async function main(command: string | undefined): Promise<number> {
  const config = loadConfigOrExit();
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: `terra-connections-db-${command}` });
  await dataSource.initialize();
  try {
    if (command === 'migrate') {
      const applied = await runMigrations(dataSource);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Schema is up to date.\n');
      return 0;
    }
    if (command === 'check') {
      await runMigrations(dataSource);
      const drift = await schemaDrift(dataSource);
      if (drift.length === 0) {
        process.stdout.write('Entities and migrations agree.\n');
        return 0;
      }
      process.stderr.write(`Entities and migrations drift; a migration is missing for:\n${drift.join(';\n')};\n`);
      return 1;
    }
    process.stderr.write('usage: db migrate | db check\n');
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
