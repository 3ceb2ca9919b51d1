import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { DataType } from '../catalogue/provider-catalogue';
import { parseTerraInput } from '../common/parse-input';
import { TerraAuthGuard } from '../common/terra-auth.guard';
import { terraError } from '../common/terra-error';
import { UserStore } from '../users/user-store.service';
import { DataRequestService, type DataAnswer } from './data-request.service';
import { MAX_RANGE_DAYS, daysBetween, parseDateParam } from './date-range';
import { BackfillScenarios } from './backfill-scenarios.service';

const booleanParam = (name: string, fallback: boolean) =>
  z
    .enum(['true', 'false'], { message: `${name} must be true or false` })
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true'));
const dateParam = (name: string) =>
  z.string({ required_error: 'is required' }).refine((value) => parseDateParam(value) !== undefined, `${name} must be YYYY-MM-DD or unix seconds`);

const dataQuery = z.object({
  user_id: z.string({ required_error: 'is required' }).min(1, 'is required'),
  start_date: dateParam('start_date'),
  end_date: dateParam('end_date').optional(),
  to_webhook: booleanParam('to_webhook', true),
  with_samples: booleanParam('with_samples', false),
});
const athleteQuery = z.object({
  user_id: z.string({ required_error: 'is required' }).min(1, 'is required'),
  to_webhook: booleanParam('to_webhook', true),
});

const DATA_PATHS: DataType[] = ['activity', 'sleep', 'body', 'daily', 'nutrition', 'menstruation'];

/** Terra v2 data reads (terra-contract.md §2.10): generated data for the range, inline or sent as webhooks. */
@Controller('v2')
@UseGuards(TerraAuthGuard)
export class TerraDataController {
  constructor(
    private readonly users: UserStore,
    private readonly data: DataRequestService,
    private readonly scenarios: BackfillScenarios,
  ) {}

  @Get(DATA_PATHS)
  read(@Req() request: Request, @Query() query: unknown, @Res({ passthrough: true }) response: Response): Record<string, unknown> {
    const type = request.path.slice(request.path.lastIndexOf('/') + 1) as DataType;
    const input = parseTerraInput(dataQuery, query);
    const user = this.users.get(input.user_id);
    if (!user) throw terraError(404, 'User not found');
    const start = parseDateParam(input.start_date) as Date;
    const end = input.end_date === undefined ? undefined : parseDateParam(input.end_date);
    if (end && end.getTime() < start.getTime()) throw terraError(400, 'end_date must not be before start_date');
    const days = daysBetween(start, end);
    this.spendBudget(user.user_id, days.length, response);
    const providerError = this.scenarios.providerError(type);
    if (providerError) throw terraError(502, providerError);
    return answer(this.data.read(user, type, days, input.to_webhook, input.with_samples), response);
  }

  @Get('athlete')
  athlete(@Query() query: unknown, @Res({ passthrough: true }) response: Response): Record<string, unknown> {
    const input = parseTerraInput(athleteQuery, query);
    const user = this.users.get(input.user_id);
    if (!user) throw terraError(404, 'User not found');
    this.spendBudget(user.user_id, 1, response);
    const providerError = this.scenarios.providerError('athlete');
    if (providerError) throw terraError(502, providerError);
    return answer(this.data.readAthlete(user, input.to_webhook), response);
  }

  /** Terra's per-user day budget and its headers (terra-contract.md §11): 429 with Retry-After when spent. */
  private spendBudget(userId: string, days: number, response: Response): void {
    const budget = this.scenarios.spend(userId, days, MAX_RANGE_DAYS);
    if (!budget.ok) {
      response.setHeader('X-Terra-RateLimit-Rule', budget.rule);
      response.setHeader('Retry-After', String(budget.retryAfterSeconds));
      throw terraError(429, budget.message);
    }
    response.setHeader('X-Terra-RateLimit-Limit', String(budget.limit));
    response.setHeader('X-Terra-RateLimit-Remaining', String(budget.remaining));
    response.setHeader('X-Terra-RateLimit-Reset-After', String(budget.resetAfterSeconds));
  }
}

/** "Sent to webhook" answers carry the same `terra-reference` header as the webhooks that follow (terra-contract.md §2.10). */
function answer(result: DataAnswer, response: Response): Record<string, unknown> {
  if (result.kind === 'webhook') response.setHeader('terra-reference', result.reference);
  return result.body;
}
