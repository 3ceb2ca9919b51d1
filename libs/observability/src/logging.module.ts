import { DynamicModule, Injectable, Module, RequestMethod, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger as PinoInstance, type LoggerOptions } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { AppConfig } from '@terra-connections/config';
import { bufferedLogDestination, type BufferedLogDestination } from './buffered-log-destination';
import { LogContext } from './log-context';
import { REDACTED, REDACTED_PATHS, redactNested, serializeError } from './log-redaction';
import { loggableUrl } from './loggable-url';

export const REQUEST_ID_HEADER = 'x-request-id';
/** The request id's key on every log line, in the API and, for the job of a webhook, in the worker. */
export const REQUEST_ID_LOG_KEY = 'request_id';
/** Injection token of the process's root pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Probes and scrapes arrive every few seconds; a line for each would bury the requests that matter. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)\/?(\?|$)/;

/** Takes the caller's x-request-id when it is sane, else mints one; echoed back on the response. */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Express rewrites req.url inside mounted routers (Bull Board); originalUrl is what the client asked for. */
const originalUrl = (req: IncomingMessage) => (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;

/** One stdout destination per process, however many root loggers (tests boot several apps in one process). */
let stdoutDestination: BufferedLogDestination | undefined;

/**
 * From the start of a shutdown on, stdout lines are written at once: Nest ends a graceful shutdown by raising
 * the signal again, which kills the process without an exit event to flush on. onModuleDestroy runs before every
 * beforeApplicationShutdown and onApplicationShutdown hook, which is where the drains log; it also flushes
 * whatever an earlier onModuleDestroy logged.
 */
@Injectable()
export class LogFlushOnShutdown implements OnModuleDestroy {
  onModuleDestroy(): void {
    stdoutDestination?.unbuffer();
  }
}

/**
 * The root logger of one process: JSON lines on stdout, pretty only in development on a terminal. Secrets,
 * bearer keys, signatures, tokens and health data are redacted (log-redaction.ts); LOG_LEVEL=silent is silent.
 * Lines go out in batches (bufferedLogDestination): at most a quarter of a second late, all of them at exit.
 */
export function createRootLogger(
  config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>,
  service: string,
  destination?: DestinationStream,
): PinoInstance {
  const pretty = !destination && config.NODE_ENV === 'development' && process.stdout.isTTY === true;
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    base: { service, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { log: redactNested },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  };
  if (destination) return pino(options, destination);
  if (pretty) return pino(options);
  stdoutDestination ??= bufferedLogDestination(1);
  return pino(options, stdoutDestination);
}

/**
 * One line per request (method, url with only allowlisted query parameters, status, time, request id) and a request-scoped
 * child logger whose lines all carry `request_id`. Mounted first in the API (bootstrap.ts), so requests that
 * a body parser rejects are logged too. Bodies and headers are never logged.
 */
export function createHttpLogger(root: PinoInstance): HttpLogger {
  return pinoHttp({
    logger: root,
    genReqId: requestIdFor,
    quietReqLogger: true,
    customAttributeKeys: { reqId: REQUEST_ID_LOG_KEY, responseTime: 'duration_ms' },
    autoLogging: { ignore: (req) => QUIET_PATHS.test(originalUrl(req) ?? '') },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${loggableUrl(originalUrl(req))} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${loggableUrl(originalUrl(req))} ${res.statusCode}`,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: loggableUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // pino-http replaces the logger's error serializer with its own unless given one.
      err: serializeError,
    },
  });
}

/**
 * nestjs-pino over the process's root logger: Nest's Logger (app.useLogger) writes through it, and inside
 * a request (or a job, see LogContext) through the child logger bound to that request or job.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: Pick<AppConfig, 'LOG_LEVEL' | 'NODE_ENV'>, service: string): DynamicModule {
    const root = createRootLogger(config, service);
    const nestPino = LoggerModule.forRoot({
      pinoHttp: { logger: root },
      // The HTTP logger runs earlier (createHttpLogger); here nestjs-pino only binds its req.log to the request.
      useExisting: true,
      forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    });
    return {
      module: LoggingModule,
      global: true,
      imports: [nestPino],
      providers: [{ provide: ROOT_LOGGER, useValue: root }, LogContext, LogFlushOnShutdown],
      exports: [nestPino, ROOT_LOGGER, LogContext],
    };
  }
}
