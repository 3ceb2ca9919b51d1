import type { Terra } from 'terra-api';
import { dayStartMs, deviceData, heartRateSummary, itemRandom, series, stamp, type GeneratorContext } from './generator-context';

/** The night that ends on `day`: bedtime the evening before. */
export function generateSleep(ctx: GeneratorContext): Terra.Sleep {
  const rng = itemRandom(ctx, 'sleep');
  const startMs = dayStartMs(ctx.day) - rng.int(30, 150) * 60_000;
  const inBedS = rng.int(6 * 3600, 9 * 3600);
  const awakeS = rng.int(900, 3000);
  const asleepS = inBedS - awakeS;
  const deep = Math.round(asleepS * rng.float(0.13, 0.22, 2));
  const rem = Math.round(asleepS * rng.float(0.18, 0.26, 2));
  const score = rng.int(55, 95);
  const levels = [4, 4, 5, 4, 6, 4, 1] as const;
  return {
    metadata: {
      summary_id: rng.uuid(),
      start_time: stamp(startMs),
      end_time: stamp(startMs + inBedS * 1000),
      is_nap: false,
      upload_type: 2,
      timestamp_localization: 0,
    },
    device_data: deviceData(ctx.provider),
    sleep_durations_data: {
      asleep: {
        duration_asleep_state_seconds: asleepS,
        duration_deep_sleep_state_seconds: deep,
        duration_REM_sleep_state_seconds: rem,
        duration_light_sleep_state_seconds: asleepS - deep - rem,
        num_REM_events: rng.int(3, 7),
      },
      awake: { duration_awake_state_seconds: awakeS, num_wakeup_events: rng.int(1, 8), sleep_latency_seconds: rng.int(180, 1500), num_out_of_bed_events: rng.int(0, 2) },
      other: { duration_in_bed_seconds: inBedS, duration_unmeasurable_sleep_seconds: 0 },
      sleep_efficiency: Math.round((asleepS / inBedS) * 1000) / 10,
      hypnogram_samples: ctx.withSamples ? series(startMs, inBedS, 300, (timestamp, _offset, i) => ({ timestamp, level: i === 0 ? 1 : levels[i % levels.length] })) : [],
    },
    heart_rate_data: {
      summary: heartRateSummary(rng, rng.float(50, 62), 14),
      detailed: {
        hr_samples: ctx.withSamples ? series(startMs, inBedS, 600, (timestamp) => ({ timestamp, bpm: rng.int(48, 66), context: 2 })) : [],
        hrv_samples_rmssd: [],
        hrv_samples_sdnn: [],
      },
    },
    respiration_data: {
      breaths_data: { avg_breaths_per_min: rng.float(12.5, 16.5), min_breaths_per_min: 11.8, max_breaths_per_min: 18.2, on_demand_reading: false, samples: [] },
      oxygen_saturation_data: { avg_saturation_percentage: rng.float(94, 98.5), samples: [] },
    },
    readiness_data: { readiness: rng.int(50, 95), recovery_level: rng.int(2, 6) },
    temperature_data: { delta: rng.float(-0.6, 0.6, 2) },
    scores: { sleep_score: score },
    data_enrichment: {
      sleep_score: score + rng.float(-3, 3),
      sleep_contributors: [
        { contributor_name: 'duration', contributor_score: rng.float(60, 95) },
        { contributor_name: 'efficiency', contributor_score: rng.float(60, 95) },
      ],
    },
  };
}
