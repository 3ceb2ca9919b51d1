import 'reflect-metadata';
import { loadConfigOrExit } from '@terra-connections/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  process.stdout.write(`terra-connections api listening on ${typeof address === 'object' && address ? address.port : config.PORT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
