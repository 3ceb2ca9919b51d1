import {
  BadRequestException,
  ConflictException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ConnectionNotFoundError, UnknownProviderError } from '@terra-connections/connections';
import {
  TerraCredentialsError,
  TerraGoneError,
  TerraNotFoundError,
  TerraTimeoutError,
  TerraUnavailableError,
} from '@terra-connections/terra';
import {
  InboxUnavailableError,
  InvalidPageCursorError,
  WebhookBodyRejectedError,
  WebhookEventAlreadyProcessedError,
  WebhookEventNotFoundError,
  WebhookSignatureRejectedError,
} from '@terra-connections/webhook-ingest';
import { ApiExceptionFilter } from './api-exception.filter';

describe('ApiExceptionFilter', () => {
  const filter = new ApiExceptionFilter();
  beforeAll(() => Logger.overrideLogger(false));

  it('answers an unexpected error with a bare 500: no message, no stack', () => {
    const body = filter.toBody(new Error('password=hunter2 at db.ts:12'));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(filter.toBody('a thrown string')).toEqual(body);
  });

  it('keeps Nest HTTP exceptions as they are', () => {
    expect(filter.toBody(new BadRequestException('limit must be an integer'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'limit must be an integer',
    });
    expect(filter.toBody(new NotFoundException()).statusCode).toBe(404);
  });

  it('maps body-parser errors by type', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
    const charset = Object.assign(new Error('unsupported charset "X"'), { type: 'charset.unsupported', status: 415, expose: true });
    expect(filter.toBody(tooLarge)).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(filter.toBody(charset)).toMatchObject({ statusCode: 415, message: 'unsupported charset "X"' });
  });

  it('maps domain errors to 404 and 400', () => {
    expect(filter.toBody(new ConnectionNotFoundError('u1'))).toMatchObject({ statusCode: 404, message: expect.stringContaining('u1') });
    expect(filter.toBody(new UnknownProviderError(['FOO']))).toMatchObject({ statusCode: 400, message: expect.stringContaining('FOO') });
  });

  // What the libs threw before they spoke the domain: the body must not change by a byte.
  it.each([
    [new InvalidPageCursorError(), BadRequestException, 'cursor is invalid: pass back the next_cursor of a previous page'],
    [new WebhookBodyRejectedError('Webhook body is not valid JSON'), BadRequestException, 'Webhook body is not valid JSON'],
    [new WebhookSignatureRejectedError(), UnauthorizedException, 'Invalid or missing Terra webhook signature'],
    [new ConnectionNotFoundError('u1'), NotFoundException, 'No connection with connection_id or terra_user_id u1'],
    [new WebhookEventNotFoundError('42'), NotFoundException, 'No webhook event with id 42'],
    [
      new WebhookEventAlreadyProcessedError('42'),
      ConflictException,
      'Webhook event 42 is already processed; only failed or pending events are replayed',
    ],
    [new InboxUnavailableError(), ServiceUnavailableException, 'Webhook inbox unavailable, retry later'],
  ])('answers %p as Nest answered a %p', (error, HttpError, message) => {
    const expected = JSON.stringify(filter.toBody(new HttpError(message)));
    expect(JSON.stringify(filter.toBody(error))).toBe(expected);
    expect(JSON.parse(expected)).toMatchObject({ message });
  });

  it.each([
    [new TerraNotFoundError('getUser', 'User not found', 404), 404, 'Terra: User not found'],
    [new TerraCredentialsError('getUser', 'unauthorized', 401), 502, 'Terra rejected our credentials'],
    [new TerraUnavailableError('getUser', 'boom', 503), 502, 'Terra is unavailable'],
    [new TerraGoneError('createWidgetSession', 'retired', 410), 502, 'Terra is unavailable'],
    [new TerraTimeoutError('getUser', 'no answer within 1 s'), 504, 'Terra did not answer in time'],
  ])('maps %p to %i', (error, status, message) => {
    const body = filter.toBody(error);
    expect(body.statusCode).toBe(status);
    expect(body.message).toContain(message);
  });
});
