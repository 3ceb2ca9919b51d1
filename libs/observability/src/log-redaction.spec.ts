import type { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { LogContext } from './log-context';
import { createRootLogger } from './logging.module';
import { redactNested, redactUrl } from './log-redaction';

function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createRootLogger({ LOG_LEVEL: level as 'info', NODE_ENV: 'test' }, 'test', { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('log redaction', () => {
  it('removes secrets, keys, signatures, tokens and health data wherever a caller passes them', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        token: 'tok-1',
        secret: 'sec-1',
        apiKey: 'key-1',
        authorization: 'Bearer key-2',
        signature: 't=1,v1=abc',
        payload: { heart_rate_data: { avg_hr_bpm: 61.5 } },
        data: [{ distance_data: { steps: 12345 } }],
        job: { body: 'raw body 1', access_token: 'tok-2', sleep_durations_data: { asleep: 27000.5 } },
        req: { headers: { 'terra-signature': 't=2,v1=def', 'x-terra-signature': 't=3,v1=ghi', cookie: 'c=1' } },
        err: { message: 'insert failed', parameters: ['{"type":"daily","secret":"x"}'], detail: 'Key (id)=(42)' },
        event_id: '17',
      },
      'something happened',
    );
    const line = lines.join('');
    for (const value of ['tok-1', 'sec-1', 'key-1', 'key-2', 'abc', '61.5', '12345', 'raw body 1', 'tok-2', '27000.5', 'def', 'ghi', 'c=1', 'daily', '(42)']) {
      expect({ value, leaked: line.includes(value) }).toEqual({ value, leaked: false });
    }
    expect(JSON.parse(line)).toMatchObject({ msg: 'something happened', event_id: '17', token: '[Redacted]', err: { message: 'insert failed' } });
  });

  it('censors keys nested in arrays and deeper objects and leaves the logged object as it was', () => {
    const { logger, lines } = capture();
    const logged = {
      job: { name: 'apply', attempts: [{ opts: { token: 'tok-deep' } }], result: { sections: { heart_data: { max_hr_bpm: 187.25 } } } },
      event_id: '18',
    };
    const before = JSON.stringify(logged);
    logger.info(logged, 'nested');
    const line = JSON.parse(lines.join(''));
    expect(JSON.stringify(line)).not.toMatch(/tok-deep|187\.25/);
    expect(line.job).toEqual({ name: 'apply', attempts: [{ opts: { token: '[Redacted]' } }], result: { sections: { heart_data: '[Redacted]' } } });
    expect(JSON.stringify(logged)).toBe(before);
  });

  it('censors what an error carries (a response body) and what a job\'s log context is bound to', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('Terra answered 500'), { status: 500, body: { data: [{ heart_data: { avg_hr_bpm: 'HR-4242' } }] } });
    logger.error({ err: error }, 'terra failed');
    new LogContext({ logger } as PinoLogger).run({ job: { id: '7', token: 'tok-child' } }, () => storage.getStore()!.logger.info('bound'));
    const [failed, bound] = lines.map((line) => JSON.parse(line));
    expect(lines.join('')).not.toMatch(/HR-4242|tok-child/);
    expect(failed.err).toMatchObject({ message: 'Terra answered 500', status: 500, body: '[Redacted]', stack: expect.any(String) });
    expect(bound.job).toEqual({ id: '7', token: '[Redacted]' });
  });

  it('returns the very object it was given when there is nothing to censor', () => {
    const clean = { req: { method: 'POST', url: '/webhooks/terra' }, res: { statusCode: 200 }, duration_ms: 2 };
    expect(redactNested(clean)).toBe(clean);
  });

  it('writes nothing at all when silent', () => {
    const { logger, lines } = capture('silent');
    logger.fatal('boom');
    logger.error({ secret: 'x' }, 'bad');
    expect(lines).toEqual([]);
  });

  it('strips credentials from query strings', () => {
    expect(redactUrl('/x?token=abc&limit=5&api_key=k')).toBe('/x?token=[Redacted]&limit=5&api_key=[Redacted]');
    expect(redactUrl('/v1/connections?reference_id=u1')).toBe('/v1/connections?reference_id=u1');
  });
});
