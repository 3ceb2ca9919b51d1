import type { Terra } from 'terra-api';
import { addDays } from '../date-range';
import { dayStartMs, personRandom, stamp, type GeneratorContext } from './generator-context';

const DAY_MS = 86_400_000;

/** Cycle state on `day` from a per-person cycle length and anchor, so consecutive days agree. */
export function generateMenstruation(ctx: GeneratorContext): Terra.Menstruation {
  const person = personRandom(ctx.user, 'cycle');
  const cycleLength = person.int(26, 32);
  const periodLength = person.int(4, 6);
  const anchor = Date.parse('2025-01-01T00:00:00.000Z') + person.int(0, cycleLength - 1) * DAY_MS;
  const startMs = dayStartMs(ctx.day);
  const dayIndex = (((Math.floor((startMs - anchor) / DAY_MS) % cycleLength) + cycleLength) % cycleLength);
  const dayInCycle = dayIndex + 1;
  const periodStart = addDays(ctx.day, -dayIndex);
  const ovulation = cycleLength - 14;
  const [phase, phaseStart, phaseEnd]: [Terra.MenstrualPhase, number, number] =
    dayInCycle <= periodLength ? ['menstrual', 1, periodLength]
      : dayInCycle < ovulation ? ['follicular', periodLength + 1, ovulation - 1]
        : dayInCycle <= ovulation + 1 ? ['ovulation', ovulation, ovulation + 1]
          : ['luteal', ovulation + 2, cycleLength];
  const flowLevels = [3, 4, 3, 2, 2, 2];
  return {
    metadata: { start_time: stamp(startMs), end_time: stamp(startMs + DAY_MS), timestamp_localization: 0 },
    menstruation_data: {
      period_start_date: periodStart,
      period_length_days: periodLength,
      day_in_cycle: dayInCycle,
      current_phase: phase,
      length_of_current_phase_days: phaseEnd - phaseStart + 1,
      days_until_next_phase: phaseEnd - dayInCycle + 1,
      predicted_cycle_length_days: cycleLength,
      // The SDK types these two as strings (terra-contract.md §5.1).
      cycle_length_days: String(cycleLength),
      is_predicted_cycle: 'false',
      last_updated_time: stamp(startMs + 8 * 3600_000),
      menstruation_flow: Array.from({ length: Math.min(dayInCycle, periodLength) }, (_, i) => ({
        timestamp: stamp(Date.parse(`${periodStart}T00:00:00.000Z`) + i * DAY_MS),
        flow: flowLevels[i],
      })),
    },
  };
}
