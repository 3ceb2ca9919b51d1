import { Logger, NotFoundException } from '@nestjs/common';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger as PinoInstance } from 'pino';
import { type LogContext, loggableUrl, type MetricsService, REQUEST_ID_LOG_KEY, requestIdFor } from '@terra-connections/observability';
import { BUSY_RETRY_AFTER_SECONDS, retryAfterOf, type InflightBudget, type TerraWebhookReceiver } from '@terra-connections/webhook-ingest';
import type { ErrorBody } from '../common/api-exception.filter';
import { toWebhookReceiptResponse } from './dto/webhook-receipt.mapper';
import { refusedBeforeBody } from './terra-signature-precheck.middleware';
import { BodyRefusal, readWebhookBody, type WebhookBody } from './webhook-body.reader';

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
  /** WEBHOOK_BODY_LIMIT in bytes. */
  bodyLimit: number;
  /** WEBHOOK_INFLIGHT_BYTES: shared by every delivery of the process. */
  budget: InflightBudget;
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
 * HTTP metrics and the API's JSON error body. It takes every request for the path (any method, any case, as
 * Express would route it), so no body meant for it is ever buffered by Express: other methods get the 404
 * Express gave them, unread; content-encoded deliveries are inflated here (webhook-body.reader.ts), within the
 * same limit and the process's in-flight budget (WEBHOOK_INFLIGHT_BYTES: 503 with Retry-After beyond it).
 * Returns false for any request it does not take.
 */
export function createTerraWebhookListener(deps: TerraWebhookListenerDeps): RequestListener {
  return (req, res) => {
    if (!PATHS.has(pathOf(req.url).toLowerCase())) return false;
    if (req.method !== 'POST') {
      notFoundUnread(deps, req, res);
      return true;
    }
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
    let body: WebhookBody;
    try {
      body = await readWebhookBody(req, { limit: deps.bodyLimit, budget: deps.budget });
    } catch (error) {
      if (!(error instanceof BodyRefusal)) {
        res.destroy(); // the client went away mid-body: nobody is left to answer
        return;
      }
      refuse(deps, res, error);
      return;
    }
    try {
      const receipt = await deps.receiver.receive({ rawBody: body.bytes, headers: req.headers, requestId });
      send(res, 200, JSON.stringify(toWebhookReceiptResponse(receipt)));
    } catch (error) {
      const answer = deps.errorBody(error);
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
      send(res, answer.statusCode, JSON.stringify(answer));
    } finally {
      body.release();
    }
  });
}

/**
 * A refusal decided before (or while) reading: a body not read at all is left unread and the connection closes
 * after the answer; one refused mid-way has been drained and discarded, so the sender reads the answer rather
 * than a reset.
 */
function refuse(deps: TerraWebhookListenerDeps, res: ServerResponse, refusal: BodyRefusal): void {
  if (refusal.status === 503) {
    deps.metrics.countWebhook(undefined, 'throttled');
    logger.warn(`Refused a Terra webhook: ${Math.round(deps.budget.inUse / 1024 / 1024)} MB of bodies already in flight`);
    res.setHeader('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
  }
  const answer: ErrorBody = { statusCode: refusal.status, error: STATUS_CODES[refusal.status] ?? 'Error', message: refusal.message };
  send(res, refusal.status, JSON.stringify(answer), refusal.closeConnection);
}

/**
 * Any other method on the path: the 404 Express answered, without reading a byte of the body (which could be
 * WEBHOOK_BODY_LIMIT long). A request that carries one is answered with Connection: close instead.
 */
function notFoundUnread(deps: TerraWebhookListenerDeps, req: IncomingMessage, res: ServerResponse): void {
  const startedAt = performance.now();
  const requestId = requestIdFor(req, res);
  deps.metrics.trackHttpResponse(req.method, res, () => 'unmatched');
  res.once('close', () => logRequest(deps.rootLogger, req, res, requestId, performance.now() - startedAt));
  const answer = deps.errorBody(new NotFoundException(`Cannot ${req.method} ${pathOf(req.url)}`));
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  send(res, 404, JSON.stringify(answer), hasBody);
}

function send(res: ServerResponse, status: number, json: string, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(json));
  res.setHeader('x-content-type-options', 'nosniff');
  if (close) res.setHeader('connection', 'close');
  res.end(json);
}

/** The same line pino-http writes for every other route (createHttpLogger). */
function logRequest(logger: PinoInstance, req: IncomingMessage, res: ServerResponse, requestId: string, ms: number): void {
  const finished = res.writableFinished;
  const status = res.statusCode;
  const level = !finished || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  const url = loggableUrl(req.url);
  logger[level](
    { [REQUEST_ID_LOG_KEY]: requestId, req: { method: req.method, url }, res: { statusCode: status }, duration_ms: Math.round(ms) },
    finished ? `${req.method} ${url} ${status}` : `${req.method} ${url} aborted`,
  );
}

/**
 * The path as Express's router reads it (parseurl), so no spelling of the webhook path reaches Express instead:
 * the query and a fragment cut off, and an absolute-form target (`POST http://host/webhooks/terra`) read for its
 * path.
 */
export function pathOf(url: string | undefined): string {
  if (!url) return '';
  const end = url.search(/[?#]/);
  const target = end === -1 ? url : url.slice(0, end);
  if (target.startsWith('/')) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}
