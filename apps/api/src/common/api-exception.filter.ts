import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { BackfillNotFoundError, ConnectionBusyError, ConnectionInputError, ConnectionNotFoundError } from '@terra-connections/connections';
import { isDatabaseUnavailable } from '@terra-connections/persistence';
import { clientInputErrorBody } from './client-input.errors';
import {
  TerraApiError,
  TerraBadRequestError,
  TerraCredentialsError,
  TerraNotFoundError,
  TerraTimeoutError,
} from '@terra-connections/terra';
import {
  DataReadBusyError,
  InboxUnavailableError,
  retryAfterOf,
  IngestInputError,
  WebhookEventAlreadyProcessedError,
  WebhookEventNotFoundError,
  WebhookSignatureRejectedError,
} from '@terra-connections/webhook-ingest';
import { WebhookEndpointInputError, WebhookEndpointNotFoundError } from '@terra-connections/events';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: unknown;
}

/** Errors thrown by express's body parsers (malformed JSON, too large, bad charset) carry these. */
interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}

function body(status: number, message: unknown): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

/**
 * The status of each domain error the libs throw; their message is the body's. The first match wins, so a
 * subclass listed before its base may answer differently.
 */
const DOMAIN_ERROR_STATUS: [new (...args: never[]) => Error, number][] = [
  [ConnectionNotFoundError, 404],
  [BackfillNotFoundError, 404],
  [ConnectionBusyError, 409],
  [ConnectionInputError, 400],
  [IngestInputError, 400],
  [WebhookSignatureRejectedError, 401],
  [WebhookEventNotFoundError, 404],
  [WebhookEventAlreadyProcessedError, 409],
  [InboxUnavailableError, 503],
  [DataReadBusyError, 503],
  [WebhookEndpointNotFoundError, 404],
  [WebhookEndpointInputError, 400],
];

/**
 * One JSON error shape for the whole API (Nest's: statusCode, error, message). Domain and Terra errors get
 * their status here, so services stay free of HTTP; anything unexpected is a 500 that shows no internals.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toBody(exception);
    if (response.headersSent) return;
    // A body we did not read (a caller without a key, one refused before its body mattered) is not read after
    // the answer either: draining it would let a keyless client hold the socket for as long as it trickles.
    if (!host.switchToHttp().getRequest<Request>().complete) response.setHeader('connection', 'close');
    const retryAfter = retryAfterOf(exception);
    if (retryAfter !== undefined) response.setHeader('retry-after', String(retryAfter));
    response.status(error.statusCode).json(error);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      return typeof payload === 'string' ? body(status, payload) : { ...body(status, exception.message), ...(payload as object) };
    }
    if (isBodyParserError(exception)) {
      if (exception.type === 'entity.parse.failed') return body(400, `Malformed JSON body: ${exception.message}`);
      if (exception.type === 'entity.too.large') return body(413, 'Request body is too large');
      return body(exception.status, exception.expose === false ? STATUS_CODES[exception.status] : exception.message);
    }
    for (const [type, status] of DOMAIN_ERROR_STATUS) {
      if (exception instanceof type) return body(status, exception.message);
    }
    if (exception instanceof TerraApiError) return this.terraBody(exception);
    const clientInput = clientInputErrorBody(exception);
    if (clientInput) return clientInput;
    if (isDatabaseUnavailable(exception)) {
      this.logger.error(`Database unavailable: ${(exception as Error).message}`);
      return body(HttpStatus.SERVICE_UNAVAILABLE, 'Database unavailable; retry later');
    }
    this.logger.error('Unhandled error', exception instanceof Error ? exception.stack : String(exception));
    return body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }

  private terraBody(error: TerraApiError): ErrorBody {
    if (error instanceof TerraBadRequestError) return body(400, `Terra rejected the request: ${error.terraMessage}`);
    if (error instanceof TerraNotFoundError) return body(404, `Terra: ${error.terraMessage}`);
    if (error instanceof TerraCredentialsError) {
      this.logger.error(`Terra answered ${error.terraStatus} to ${error.operation}: check TERRA_DEV_ID and TERRA_API_KEY`);
      return body(502, 'Terra rejected our credentials');
    }
    if (error instanceof TerraTimeoutError) {
      this.logger.warn(error.message);
      return body(504, `Terra did not answer in time (${error.operation})`);
    }
    this.logger.warn(error.message);
    return body(502, `Terra is unavailable: ${error.operation} failed${error.terraStatus ? ` with ${error.terraStatus}` : ''}: ${error.terraMessage}`);
  }
}
