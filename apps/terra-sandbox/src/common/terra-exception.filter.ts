import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * Every error leaves the sandbox in Terra's shape, `{"status":"error","message":...}`, including Nest's own
 * 404s and body-parser failures, so the SDK sees what Terra would send. Control routes (/sandbox) use the
 * product's Nest shape instead: they are ours, not Terra's.
 */
@Catch()
export class TerraExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(TerraExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const status = statusOf(exception);
    if (status >= 500) this.logger.error(`${request.method} ${request.path} failed: ${describe(exception)}`);
    const body = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (request.path.startsWith('/sandbox')) {
      response.status(status).json(nestShape(status, body, exception));
      return;
    }
    if (isTerraBody(body)) {
      response.status(status).json(body);
      return;
    }
    response.status(status).json({ status: 'error', message: messageOf(body, exception, status) });
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { status?: unknown; statusCode?: unknown } | null)?.status;
  // body-parser errors (malformed JSON, too large) carry their own 4xx status.
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function isTerraBody(body: unknown): body is { status: 'error'; message: string } {
  return typeof body === 'object' && body !== null && (body as { status?: unknown }).status === 'error';
}

function messageOf(body: unknown, exception: unknown, status: number): string {
  if (status >= 500) return 'internal error';
  if ((exception as { type?: unknown } | null)?.type === 'entity.parse.failed') return 'malformed JSON body';
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception instanceof Error ? exception.message : 'error';
}

function nestShape(status: number, body: unknown, exception: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && 'statusCode' in body) return body as Record<string, unknown>;
  const message = messageOf(body, exception, status);
  const error = status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : status >= 500 ? 'Internal Server Error' : 'Error';
  return { statusCode: status, error, message };
}

function describe(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}
