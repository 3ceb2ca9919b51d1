import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@terra-connections/config';
import { WorkerHealthServer } from './worker-health.server';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const silent = config.LOG_LEVEL === 'silent';
  // Nest's own boot lines are held until the JSON logger takes over (silent: none at all).
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), silent ? { logger: false } : { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Without shutdown hooks the BullMQ workers never drain on SIGTERM.
  app.enableShutdownHooks();
  await app.init();
  process.stdout.write(`terra-connections worker started; health and metrics on port ${app.get(WorkerHealthServer).port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
