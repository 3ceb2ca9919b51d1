import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@terra-connections/config';
import { ApiModule } from './api.module';

/** Builds the API application; main.ts and the tests share it so tests run the real wiring. */
export async function createApiApp(config: AppConfig): Promise<INestApplication> {
  if (!config.TERRA_WEBHOOK_SECRET) {
    throw new Error('TERRA_WEBHOOK_SECRET is required: the API refuses to accept unsigned webhooks.');
  }
  if (config.API_KEYS.length === 0) {
    throw new Error('API_KEYS is required: set at least one bearer key for internal services.');
  }
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    rawBody: true,
    logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
  });
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  return app;
}
