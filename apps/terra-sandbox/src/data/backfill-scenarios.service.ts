import { Inject, Injectable } from '@nestjs/common';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';
import { SandboxSettings } from '../common/sandbox-settings.service';

const HOUR_MS = 3_600_000;

export interface BackfillScenarioState {
  /** The next N large requests lose one chunk (the second, else the first): announced, never sent. */
  lose_chunk: number;
  /** Data type -> the provider's error text: every request of that type answers 502 with it. */
  provider_errors: Record<string, string>;
  /** The next N async requests first get `rate_limit_hit` and are sent only after `rate_limit_retry_seconds`. */
  rate_limit_hit: number;
  rate_limit_retry_seconds: number;
  /** The next N data requests answer `processing` with `retry_after_seconds` = processing_retry_seconds, and send nothing. */
  processing: number;
  processing_retry_seconds: number;
  /** When set, the lost chunk, rate_limit_hit and processing scenarios apply only to this user's requests. */
  user_id: string | null;
  /** Requested days per user per rolling hour (the hour is scaled by time_scale). */
  days_per_hour: number;
}

export type BudgetAnswer =
  | { ok: true; limit: number; remaining: number; resetAfterSeconds: number }
  | { ok: false; rule: 'r1' | 'r2'; retryAfterSeconds: number; message: string };

/**
 * Terra's per-user day budget (terra-contract.md §11) and the backfill scenarios a test arms through
 * /sandbox/backfill-scenarios. The budget's hour is multiplied by time_scale, so 0.001 makes it 3.6 s.
 */
@Injectable()
export class BackfillScenarios {
  private state: BackfillScenarioState;
  private readonly spent = new Map<string, { at: number; days: number }[]>();

  constructor(
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly settings: SandboxSettings,
  ) {
    this.state = this.initial();
  }

  get(): BackfillScenarioState {
    return { ...this.state, provider_errors: { ...this.state.provider_errors } };
  }

  update(patch: Partial<BackfillScenarioState>): BackfillScenarioState {
    this.state = { ...this.state, ...patch };
    return this.get();
  }

  reset(): void {
    this.state = this.initial();
    this.spent.clear();
  }

  private initial(): BackfillScenarioState {
    return {
      lose_chunk: 0,
      provider_errors: {},
      rate_limit_hit: 0,
      rate_limit_retry_seconds: 1,
      processing: 0,
      processing_retry_seconds: 1,
      user_id: null,
      days_per_hour: this.config.SANDBOX_RATE_DAYS_PER_HOUR,
    };
  }

  /** Spends `days` of the user's hour, or says why not (and when to come back). */
  spend(userId: string, days: number, maxSpan: number): BudgetAnswer {
    const windowMs = HOUR_MS * this.settings.get().time_scale;
    const limit = this.state.days_per_hour;
    if (days > maxSpan) return { ok: false, rule: 'r1', retryAfterSeconds: 0, message: `a request may span at most ${maxSpan} days` };
    const now = Date.now();
    const calls = (this.spent.get(userId) ?? []).filter((call) => call.at > now - windowMs);
    let used = calls.reduce((sum, call) => sum + call.days, 0);
    if (used + days > limit) {
      let freeAt = now + windowMs;
      for (const call of calls) {
        used -= call.days;
        if (used + days <= limit) {
          freeAt = call.at + windowMs;
          break;
        }
      }
      this.spent.set(userId, calls);
      return { ok: false, rule: 'r2', retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)), message: `rate limit: at most ${limit} requested days per hour per user` };
    }
    calls.push({ at: now, days });
    this.spent.set(userId, calls);
    const oldest = calls[0]?.at ?? now;
    return { ok: true, limit, remaining: limit - used - days, resetAfterSeconds: Math.max(0, Math.ceil((oldest + windowMs - now) / 1000)) };
  }

  private applies(userId: string): boolean {
    return this.state.user_id === null || this.state.user_id === userId;
  }

  takeLostChunk(userId: string): boolean {
    if (this.state.lose_chunk <= 0 || !this.applies(userId)) return false;
    this.state.lose_chunk -= 1;
    return true;
  }

  takeRateLimitHit(userId: string): number | null {
    if (this.state.rate_limit_hit <= 0 || !this.applies(userId)) return null;
    this.state.rate_limit_hit -= 1;
    return this.state.rate_limit_retry_seconds;
  }

  takeProcessing(userId: string): number | null {
    if (this.state.processing <= 0 || !this.applies(userId)) return null;
    this.state.processing -= 1;
    return this.state.processing_retry_seconds;
  }

  providerError(type: string): string | undefined {
    return this.state.provider_errors[type];
  }
}
