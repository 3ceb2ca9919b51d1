import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BoundedMap } from '../common/bounded-map';
import { SandboxClock } from '../common/sandbox-clock.service';

/** Mobile SDK tokens: 64 hex chars, single use, valid 180 s (terra-contract.md §2.4). */
export const AUTH_TOKEN_TTL_SECONDS = 180;

export type RedeemOutcome = 'ok' | 'unknown' | 'used' | 'expired';

interface TokenState {
  expiresAt: number;
  used: boolean;
}

@Injectable()
export class AuthTokenStore {
  // Used tokens are remembered (bounded) so a replay says "already used" rather than "unknown".
  private readonly tokens = new BoundedMap<string, TokenState>(100_000);

  constructor(private readonly clock: SandboxClock) {}

  issue(): string {
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, { expiresAt: this.clock.now() + AUTH_TOKEN_TTL_SECONDS * 1000, used: false });
    return token;
  }

  redeem(token: string): RedeemOutcome {
    const state = this.tokens.get(token);
    if (!state) return 'unknown';
    if (state.used) return 'used';
    state.used = true;
    return this.clock.now() > state.expiresAt ? 'expired' : 'ok';
  }

  reset(): void {
    this.tokens.clear();
  }
}
