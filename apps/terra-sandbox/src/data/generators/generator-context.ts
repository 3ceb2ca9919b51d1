import type { Terra } from 'terra-api';
import type { ProviderInfo } from '../../catalogue/provider-catalogue';
import { terraTimestamp, type SandboxUser } from '../../users/sandbox-user';
import { SeededRandom } from '../seeded-random';

export interface GeneratorContext {
  user: SandboxUser;
  provider: ProviderInfo;
  /** `YYYY-MM-DD` (UTC) the item belongs to. */
  day: string;
  withSamples: boolean;
}

/** Randomness for one item: the same user, type and day always give the same item. */
export function itemRandom(ctx: GeneratorContext, type: string): SeededRandom {
  return new SeededRandom(`${ctx.user.user_id}|${type}|${ctx.day}`);
}

/** Randomness for a person's stable traits (weight, cycle length, name). */
export function personRandom(user: SandboxUser, trait: string): SeededRandom {
  return new SeededRandom(`${user.user_id}|${trait}`);
}

export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function stamp(ms: number): string {
  return terraTimestamp(ms);
}

export function deviceData(provider: ProviderInfo): Terra.DeviceData {
  return {
    name: provider.device,
    manufacturer: provider.name,
    software_version: '4.2.1',
    data_provided: ['STEPS', 'HEART_RATE', 'CALORIES', 'DISTANCE'],
    other_devices: [],
  };
}

/** Evenly spaced samples over [startMs, startMs + durationS]. */
export function series<T>(startMs: number, durationS: number, stepS: number, make: (timestamp: string, offsetS: number, i: number) => T): T[] {
  const out: T[] = [];
  for (let offset = 0, i = 0; offset <= durationS; offset += stepS, i += 1) out.push(make(stamp(startMs + offset * 1000), offset, i));
  return out;
}

export function heartRateSummary(rng: SeededRandom, avg: number, spread: number): Terra.HeartRateDataSummary {
  return {
    avg_hr_bpm: avg,
    max_hr_bpm: Math.round(avg + spread),
    min_hr_bpm: Math.round(avg - spread / 2),
    resting_hr_bpm: rng.int(46, 62),
    avg_hrv_rmssd: rng.float(25, 70),
  };
}
