import { Logger, type LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { stripQuotedValues } from './sql-error-message';
import { createScratchDataSource, type ScratchDataSource } from './testing/scratch-data-source';

const SECRET_VALUE = 'heart-rate-4242-secret-payload';

/** Everything written anywhere while `run` runs: Nest's logger, console, and the raw stdout/stderr streams. */
async function captureOutput(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  };
  const nest: LoggerService = { log: record, error: record, warn: record, debug: record, verbose: record, fatal: record };
  Logger.overrideLogger(nest);
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => jest.spyOn(console, method).mockImplementation(record)),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (record(String(chunk)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (record(String(chunk)), true)),
  ];
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
    Logger.overrideLogger(false);
  }
  return lines.join('\n');
}

describe('TypeOrmSafeLogger (real Postgres)', () => {
  let scratch: ScratchDataSource;
  let dataSource: DataSource;

  beforeAll(async () => {
    scratch = await createScratchDataSource('safe_logger', { migrate: true });
    dataSource = scratch.dataSource;
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it('logs a failed query by SQLSTATE and message, never its parameters', async () => {
    const output = await captureOutput(() =>
      dataSource.query(
        `INSERT INTO webhook_events (type, dedup_key, payload, event_at) VALUES ('daily', $1, $2::jsonb, now())`,
        ['dedup-x', `{"hr": "${SECRET_VALUE}"`],
      ),
    );
    expect(output).toMatch(/query failed \[22P02\]/);
    expect(output).not.toContain(SECRET_VALUE);
    expect(output).not.toContain('INSERT INTO');
  });

  it('strips quoted values from the message of a data exception', async () => {
    const output = await captureOutput(() => dataSource.query(`SELECT $1::uuid`, [SECRET_VALUE]));
    expect(output).toMatch(/query failed \[22P02\]: invalid input syntax for type uuid/);
    expect(output).not.toContain(SECRET_VALUE);
  });
});

describe('stripQuotedValues', () => {
  it('keeps object names and drops values', () => {
    expect(stripQuotedValues('duplicate key value violates unique constraint "uq_x"')).toBe('duplicate key value violates unique constraint "uq_x"');
    expect(stripQuotedValues('date/time field value out of range: "2026-02-30"')).toBe('date/time field value out of range: "…"');
    expect(stripQuotedValues(`invalid input value for enum mood: 'sad'`)).toBe(`invalid input value for enum mood: '…'`);
  });
});
