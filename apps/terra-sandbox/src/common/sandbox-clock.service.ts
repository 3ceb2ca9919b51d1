import { Injectable } from '@nestjs/common';

/**
 * The clock that session and token expiry read. Tests move it forward (POST /sandbox/clock/advance) to
 * expire a 180 s token without waiting; webhook signatures keep using wall time, since receivers check
 * `t` against their own clock.
 */
@Injectable()
export class SandboxClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
