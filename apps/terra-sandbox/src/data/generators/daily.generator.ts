import type { Terra } from 'terra-api';
import { dayStartMs, deviceData, heartRateSummary, itemRandom, series, stamp, type GeneratorContext } from './generator-context';

/** Whole-day totals (Terra re-sends these as the day fills up; here the day is complete). */
export function generateDaily(ctx: GeneratorContext): Terra.Daily {
  const rng = itemRandom(ctx, 'daily');
  const startMs = dayStartMs(ctx.day);
  const steps = rng.int(3500, 19_000);
  const activeS = rng.int(1800, 7200);
  const bmr = rng.int(1450, 1850);
  const activeCalories = Math.round(steps * 0.045 + activeS * 0.08);
  return {
    metadata: { start_time: stamp(startMs), end_time: stamp(startMs + 86_400_000), upload_type: 1, timestamp_localization: 0 },
    device_data: deviceData(ctx.provider),
    distance_data: {
      steps,
      distance_meters: Math.round(steps * 0.78),
      floors_climbed: rng.int(0, 20),
      elevation: { gain_actual_meters: rng.float(5, 90), loss_actual_meters: rng.float(5, 90) },
      detailed: {
        step_samples: ctx.withSamples ? series(startMs, 86_400 - 3600, 3600, (timestamp, _offset, i) => ({ timestamp, steps: Math.round((steps * (i + 1)) / 24) })) : [],
        distance_samples: [],
        elevation_samples: [],
        floors_climbed_samples: [],
      },
    },
    calories_data: { total_burned_calories: bmr + activeCalories, BMR_calories: bmr, net_activity_calories: activeCalories, calorie_samples: [] },
    active_durations_data: {
      activity_seconds: activeS,
      low_intensity_seconds: Math.round(activeS * 0.45),
      moderate_intensity_seconds: Math.round(activeS * 0.3),
      vigorous_intensity_seconds: Math.round(activeS * 0.25),
      inactivity_seconds: 86_400 - activeS - 28_800,
      rest_seconds: 28_800,
      num_continuous_inactive_periods: rng.int(1, 6),
      activity_levels_samples: [],
    },
    heart_rate_data: {
      summary: heartRateSummary(rng, rng.float(62, 78), 60),
      detailed: { hr_samples: ctx.withSamples ? series(startMs, 86_400 - 1800, 1800, (timestamp) => ({ timestamp, bpm: rng.int(50, 120), context: 0 })) : [] },
    },
    stress_data: {
      avg_stress_level: rng.int(20, 50),
      max_stress_level: rng.int(60, 95),
      stress_rating: rng.int(1, 3),
      samples: [],
      body_battery_samples: [],
    },
    oxygen_data: { avg_saturation_percentage: rng.float(94.5, 98.5), saturation_samples: [], vo2_samples: [] },
    MET_data: { avg_level: rng.float(1.2, 2.2), MET_samples: [] },
    scores: { sleep: rng.int(55, 95), recovery: rng.int(30, 95), activity: rng.int(30, 100) },
    data_enrichment: {
      start_time: stamp(startMs),
      total_stress_score: rng.float(20, 60),
      readiness_score: rng.float(50, 95),
      cardiovascular_score: rng.float(50, 95),
      readiness_contributors: [{ contributor_name: 'sleep', contributor_score: rng.float(55, 95) }],
    },
  };
}
