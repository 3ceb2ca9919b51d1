import type { Terra } from 'terra-api';
import { dayStartMs, deviceData, heartRateSummary, itemRandom, series, stamp, type GeneratorContext } from './generator-context';

/** Terra ActivityType values (terra-contract.md §5.1) with plausible speeds in m/s (0 = no distance). */
const KINDS = [
  { type: 8, name: 'Running', speed: [2.5, 3.6], stepsPerMin: 165, met: 9.5 },
  { type: 1, name: 'Biking', speed: [5.5, 8.5], stepsPerMin: 0, met: 8 },
  { type: 7, name: 'Walking', speed: [1.2, 1.6], stepsPerMin: 105, met: 3.5 },
  { type: 80, name: 'Strength training', speed: [0, 0], stepsPerMin: 0, met: 5 },
  { type: 82, name: 'Swimming', speed: [0.7, 1.1], stepsPerMin: 0, met: 7 },
] as const;
const CITIES = [
  ['London', 'United Kingdom'],
  ['Berlin', 'Germany'],
  ['Austin', 'United States'],
  ['Lyon', 'France'],
] as const;

/** One workout per day. */
export function generateActivity(ctx: GeneratorContext): Terra.Activity {
  const rng = itemRandom(ctx, 'activity');
  const kind = rng.pick(KINDS);
  const [city, country] = rng.pick(CITIES);
  const durationS = rng.int(25, 90) * 60;
  const startMs = dayStartMs(ctx.day) + rng.int(6 * 3600, 19 * 3600);
  const speed = rng.float(kind.speed[0], kind.speed[1], 2);
  const distance = Math.round(speed * durationS * 10) / 10;
  const steps = Math.round((kind.stepsPerMin * durationS) / 60);
  const avgHr = rng.int(115, 158);
  const calories = Math.round(((kind.met * 3.5 * 72) / 200) * (durationS / 60) * 10) / 10;
  const step = 300;
  return {
    metadata: {
      name: `${city} ${kind.name}`,
      summary_id: rng.digits(11),
      type: kind.type,
      upload_type: 1,
      start_time: stamp(startMs),
      end_time: stamp(startMs + durationS * 1000),
      city,
      country,
      timestamp_localization: 0,
    },
    device_data: deviceData(ctx.provider),
    heart_rate_data: {
      summary: { ...heartRateSummary(rng, avgHr, 30), user_max_hr_bpm: 188 },
      detailed: {
        hr_samples: ctx.withSamples
          ? series(startMs, durationS, 60, (timestamp, offset) => ({ timestamp, bpm: Math.round(avgHr - 20 + Math.min(30, offset / 60) + rng.int(-4, 4)), timer_duration_seconds: offset, context: 1 }))
          : [],
        hrv_samples_rmssd: [],
        hrv_samples_sdnn: [],
      },
    },
    distance_data: {
      summary: { distance_meters: distance, steps, floors_climbed: rng.int(0, 6), elevation: { gain_actual_meters: rng.float(0, 120), loss_actual_meters: rng.float(0, 120) } },
      detailed: {
        distance_samples: ctx.withSamples ? series(startMs, durationS, step, (timestamp, offset) => ({ timestamp, distance_meters: Math.round(speed * offset), timer_duration_seconds: offset })) : [],
        step_samples: ctx.withSamples && steps > 0 ? series(startMs, durationS, step, (timestamp, offset) => ({ timestamp, steps: Math.round((kind.stepsPerMin * offset) / 60), timer_duration_seconds: offset })) : [],
        elevation_samples: [],
        floors_climbed_samples: [],
      },
    },
    calories_data: { total_burned_calories: calories, net_activity_calories: Math.round(calories * 0.86), BMR_calories: Math.round(calories * 0.14), calorie_samples: [] },
    movement_data: speed > 0
      ? {
          avg_speed_meters_per_second: speed,
          max_speed_meters_per_second: Math.round(speed * 1.25 * 100) / 100,
          avg_pace_minutes_per_kilometer: Math.round((1000 / speed / 60) * 100) / 100,
          speed_samples: ctx.withSamples ? series(startMs, durationS, step, (timestamp, offset) => ({ timestamp, speed_meters_per_second: rng.float(speed * 0.85, speed * 1.15, 2), timer_duration_seconds: offset })) : [],
          cadence_samples: [],
          torque_samples: [],
        }
      : { speed_samples: [], cadence_samples: [], torque_samples: [] },
    active_durations_data: {
      activity_seconds: durationS,
      rest_seconds: 0,
      low_intensity_seconds: Math.round(durationS * 0.1),
      moderate_intensity_seconds: Math.round(durationS * 0.3),
      vigorous_intensity_seconds: Math.round(durationS * 0.6),
      activity_levels_samples: [],
    },
    MET_data: { avg_level: kind.met, num_high_intensity_minutes: Math.round((durationS / 60) * 0.6), MET_samples: [] },
    energy_data: { energy_kilojoules: Math.round(calories * 4.184 * 10) / 10 },
    oxygen_data: { vo2max_ml_per_min_per_kg: rng.float(38, 56), saturation_samples: [], vo2_samples: [] },
    data_enrichment: { stress_score: rng.int(10, 60) },
    cheat_detection: 0,
  };
}
