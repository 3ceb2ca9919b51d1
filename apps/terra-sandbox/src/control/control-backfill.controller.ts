import { Body, Controller, Get, Patch } from '@nestjs/common';
import { z } from 'zod';
import { parseControlInput } from '../common/parse-input';
import { BackfillScenarios } from '../data/backfill-scenarios.service';

const scenarioBody = z
  .object({
    lose_chunk: z.number().int().min(0).max(10_000).optional(),
    provider_errors: z.record(z.enum(['activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation', 'athlete']), z.string().min(1)).optional(),
    rate_limit_hit: z.number().int().min(0).max(10_000).optional(),
    rate_limit_retry_seconds: z.number().min(0).max(86_400).optional(),
    days_per_hour: z.number().int().min(1).max(1_000_000).optional(),
    user_id: z.string().min(1).nullable().optional(),
    processing: z.number().int().min(0).max(10_000).optional(),
    processing_retry_seconds: z.number().int().min(0).max(86_400).optional(),
  })
  .strict();

/** /sandbox/backfill-scenarios: the day budget, lost chunks, provider errors, rate_limit_hit (docs/sandbox.md). */
@Controller('sandbox/backfill-scenarios')
export class ControlBackfillController {
  constructor(private readonly scenarios: BackfillScenarios) {}

  @Get()
  get(): Record<string, unknown> {
    return { ...this.scenarios.get() };
  }

  @Patch()
  update(@Body() body: unknown): Record<string, unknown> {
    return { ...this.scenarios.update(parseControlInput(scenarioBody, body)) };
  }
}
