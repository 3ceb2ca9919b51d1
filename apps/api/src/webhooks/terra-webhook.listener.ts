import { Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger as PinoInstance } from 'pino';
import getRawBody from 'raw-body';
import { type LogContext, type MetricsService, REQUEST_ID_LOG_KEY, redactUrl, requestIdFor } from '@terra-connections/observability';
import type { TerraWebhookReceiver } from '@terra-connections/webhook-ingest';
import type { ErrorBody } from '../common/api-exception.filter';
import { toWebhookReceiptResponse } from './dto/webhook-receipt.mapper';
import { refusedBeforeBody } from './terra-signature-precheck.middleware';

/** The webhook route; TerraWebhookController declares the same path for OpenAPI and the fallback. */
export const TERRA_WEBHOOK_PATH = '/webhooks/terra';
const PATHS = new Set([TERRA_WEBHOOK_PATH, `${TERRA_WEBHOOK_PATH}/`]);

export interface TerraWebhookListenerDeps {
  receiver: TerraWebhookReceiver;
  metrics: MetricsService;
  logContext: LogContext;
  rootLogger: PinoInstance;
  /** The API's one error shape (ApiExceptionFilter), so a webhook error reads like any other. */
  errorBody: (error: unknown) => ErrorBody;
  bodyLimit: string;
  toleranceSeconds: number;
}

const logger = new Logger('TerraWebhookListener');

type RequestListener = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `POST /webhooks/terra` served straight from node's HTTP server, in front of Express and Nest. Terra sends
 * every delivery here, so this path is the API's hot path: through the Express router, body parsers, Nest's
 * pipeline and exception filter it cost 0.47 ms of CPU per webhook, more than the work itself
 * (docs/performance.md). It keeps what that pipeline gave: the header-only 401 before the body is read, the
 * body limit (413), the `x-request-id` echo, the request id on every log line, one access log line, the
 * HTTP metrics and the API's JSON error body. Content-encoded bodies (gzip, deflate) are left to Express,
 * whose raw parser inflates them and reaches the same receiver through TerraWebhookController.
 * Returns false for any request it does not take.
 */
export function createTerraWebhookListener(deps: TerraWebhookListenerDeps): RequestListener {
  return (req, res) => {
    if (req.method !== 'POST' || !PATHS.has(pathOf(req.url)) || isEncoded(req)) return false;
    handle(deps, req, res).catch((error: unknown) => {
      // Only a bug gets here (the receiver's errors are answered in handle): no response can be trusted.
      logger.error(`Webhook request failed outside the receiver: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
    return true;
  };
}

/** Puts `listener` in front of the server's existing request listeners (Express), which get what it declines. */
export function mountInFrontOfExpress(server: Server, listener: RequestListener): void {
  const existing = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (listener(req, res)) return;
    for (const next of existing) next.call(server, req, res);
  });
}

async function handle(deps: TerraWebhookListenerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = performance.now();
  const requestId = requestIdFor(req, res);
  deps.metrics.trackHttpResponse(req.method, res, () => TERRA_WEBHOOK_PATH);
  res.once('close', () => logRequest(deps.rootLogger, req, res, requestId, performance.now() - startedAt));

  await deps.logContext.run({ [REQUEST_ID_LOG_KEY]: requestId }, async () => {
    if (refusedBeforeBody(req.headers, res, deps.toleranceSeconds, deps.metrics)) return;
    try {
      const rawBody = await getRawBody(req, { length: req.headers['content-length'], limit: deps.bodyLimit });
      const receipt = await deps.receiver.receive({ rawBody, headers: req.headers, requestId });
      send(res, 200, JSON.stringify(toWebhookReceiptResponse(receipt)));
    } catch (error) {
      const body = deps.errorBody(error);
      // A body declared over the limit is not read at all: the socket closes after the 413. One that ran over
      // the limit while being read is drained and discarded, so the sender reads the 413 rather than a reset.
      const close = !req.complete && declaredTooLarge(error);
      if (!req.complete && !close) req.resume();
      send(res, body.statusCode, JSON.stringify(body), close);
    }
  });
}

function send(res: ServerResponse, status: number, json: string, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(json));
  if (close) res.setHeader('connection', 'close');
  res.end(json);
}

/** The same line pino-http writes for every other route (createHttpLogger). */
function logRequest(logger: PinoInstance, req: IncomingMessage, res: ServerResponse, requestId: string, ms: number): void {
  const finished = res.writableFinished;
  const status = res.statusCode;
  const level = !finished || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  const url = redactUrl(req.url);
  logger[level](
    { [REQUEST_ID_LOG_KEY]: requestId, req: { method: req.method, url }, res: { statusCode: status }, duration_ms: Math.round(ms) },
    finished ? `${req.method} ${url} ${status}` : `${req.method} ${url} aborted`,
  );
}

/** raw-body's 413 for a Content-Length over the limit carries `expected`; one found while reading does not. */
function declaredTooLarge(error: unknown): boolean {
  const e = error as { type?: unknown; expected?: unknown } | null;
  return e?.type === 'entity.too.large' && typeof e.expected === 'number';
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function isEncoded(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.toLowerCase() !== 'identity';
}
