import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { parseByteSize, type AppConfig } from '@terra-connections/config';
import { createHttpLogger, LogContext, MetricsService, ROOT_LOGGER } from '@terra-connections/observability';
import { TerraWebhookReceiver } from '@terra-connections/webhook-ingest';
import { ApiModule } from './api.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { securityHeaders } from './common/security-headers';
import { parseBodiesOfKnownCallers } from './common/known-caller';
import { createValidationPipe } from './common/validation.pipe';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_JSON_PATH } from './openapi/openapi-document';
import { InflightBudget } from '@terra-connections/webhook-ingest';
import { createTerraWebhookListener, mountInFrontOfExpress } from './webhooks/terra-webhook.listener';


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
  // Connections that never finish their headers (slowloris) each hold a file descriptor, no key needed; at the
  // fd limit even /health/live gets resets. Beyond the cap node closes new sockets at once, and the headers
  // timeout reaps the idle ones: node's 60 s, checked every 30 s, would let one wave hold the cap for 90 s.
  // Set before listen(): node reads the checking interval when the server starts listening.
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  server.maxConnections = config.HTTP_MAX_CONNECTIONS;
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  // And a body that trickles: without it node's 300 s let one byte every few seconds hold a socket for 5 minutes.
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.connectionsCheckingInterval = 1_000;
  const budget = new InflightBudget(parseByteSize(config.WEBHOOK_INFLIGHT_BYTES));
  app.get(MetricsService).registerCollector('terra_webhook_inflight_bytes', 'Bytes of webhook bodies held by this API process now (WEBHOOK_INFLIGHT_BYTES caps it)', [], async (gauge) => {
    gauge.set(budget.inUse);
  });
  // Terra's deliveries skip Express and Nest (terra-webhook.listener.ts); everything else goes on to them.
  mountInFrontOfExpress(
    app.getHttpServer(),
    createTerraWebhookListener({
      receiver: app.get(TerraWebhookReceiver),
      metrics: app.get(MetricsService),
      logContext: app.get(LogContext),
      rootLogger: app.get(ROOT_LOGGER),
      errorBody: (error) => errorFilter.toBody(error),
      bodyLimit: parseByteSize(config.WEBHOOK_BODY_LIMIT),
      budget,
      toleranceSeconds: config.TERRA_WEBHOOK_TOLERANCE_SECONDS,
    }),
  );
  // First of all middleware, so requests a body parser rejects are counted, timed and logged too. Both are
  // in-memory work: a counter, a histogram, one log line when the response ends.
  app.use(app.get(MetricsService).httpMiddleware());
  app.use(createHttpLogger(app.get(ROOT_LOGGER)));
  app.use(securityHeaders());
  // Bodies are read only for callers with one of our keys; both parsers are ours, so Nest adds neither.
  const parseFor = parseBodiesOfKnownCallers(config);
  app.useBodyParser('json', { limit: '1mb', type: parseFor.json });
  app.useBodyParser('urlencoded', { extended: true, type: parseFor.urlencoded });
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
