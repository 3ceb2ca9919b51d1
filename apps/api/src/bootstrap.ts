import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw } from 'express';
import type { AppConfig } from '@terra-connections/config';
import { ApiModule } from './api.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/validation.pipe';

/** The webhook route: the body stays raw bytes so the signature is checked before anything parses it. */
export const TERRA_WEBHOOK_PATH = '/webhooks/terra';

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
    bodyParser: true,
    logger: config.LOG_LEVEL === 'silent' ? false : ['error', 'warn', 'log'],
  });
  // Registered before Nest's JSON parser: that parser then skips the request (body already read), so the
  // webhook body is read once, as a Buffer, whatever its Content-Type. Backfill chunks reach 10 MB.
  app.use(TERRA_WEBHOOK_PATH, raw({ type: () => true, limit: config.WEBHOOK_BODY_LIMIT }));
  app.useBodyParser('json', { limit: '1mb' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();
  return app;
}
