import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { raw } from 'express';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@terra-connections/config';
import { createHttpLogger, LogContext, MetricsService, ROOT_LOGGER } from '@terra-connections/observability';
import { TerraWebhookReceiver } from '@terra-connections/webhook-ingest';
import { ApiModule } from './api.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_JSON_PATH } from './openapi/openapi-document';
import { terraSignaturePrecheck } from './webhooks/terra-signature-precheck.middleware';
import { createTerraWebhookListener, mountInFrontOfExpress, TERRA_WEBHOOK_PATH } from './webhooks/terra-webhook.listener';


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
    // Nest's own boot lines are held until the JSON logger takes over (silent: none at all).
    ...(config.LOG_LEVEL === 'silent' ? { logger: false } : { bufferLogs: true }),
  });
  app.useLogger(app.get(Logger));
  const errorFilter = new ApiExceptionFilter();
  // Terra's deliveries skip Express and Nest (terra-webhook.listener.ts); everything else goes on to them.
  mountInFrontOfExpress(
    app.getHttpServer(),
    createTerraWebhookListener({
      receiver: app.get(TerraWebhookReceiver),
      metrics: app.get(MetricsService),
      logContext: app.get(LogContext),
      rootLogger: app.get(ROOT_LOGGER),
      errorBody: (error) => errorFilter.toBody(error),
      bodyLimit: config.WEBHOOK_BODY_LIMIT,
      toleranceSeconds: config.TERRA_WEBHOOK_TOLERANCE_SECONDS,
    }),
  );
  // First of all middleware, so requests a body parser rejects are counted, timed and logged too. Both are
  // in-memory work: a counter, a histogram, one log line when the response ends.
  app.use(app.get(MetricsService).httpMiddleware());
  app.use(createHttpLogger(app.get(ROOT_LOGGER)));
  // The Express route of the webhook only serves content-encoded deliveries now (the listener above takes
  // the rest). Unsigned or stale requests get their 401 from the headers alone, before raw() would buffer.
  app.use(TERRA_WEBHOOK_PATH, terraSignaturePrecheck(config.TERRA_WEBHOOK_TOLERANCE_SECONDS, app.get(MetricsService)));
  // Registered before Nest's JSON parser: that parser then skips the request (body already read), so the
  // webhook body is read once, as a Buffer, whatever its Content-Type. Backfill chunks reach 10 MB.
  app.use(TERRA_WEBHOOK_PATH, raw({ type: () => true, limit: config.WEBHOOK_BODY_LIMIT }));
  app.useBodyParser('json', { limit: '1mb' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(errorFilter);
  // Swagger UI at /docs, the document at /docs/openapi.json (built on first request).
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'terra-connections API',
  });
  // SIGTERM: HttpDrain (ops/) stops accepting and drains requests first, then queues and the pool close.
  app.enableShutdownHooks();
  return app;
}
