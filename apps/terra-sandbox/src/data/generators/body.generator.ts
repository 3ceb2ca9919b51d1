import type { Terra } from 'terra-api';
import { dayStartMs, deviceData, heartRateSummary, itemRandom, personRandom, series, stamp, type GeneratorContext } from './generator-context';

/** Body metrics for one day; glucose sensors also send a glucose summary. */
export function generateBody(ctx: GeneratorContext): Terra.Body {
  const rng = itemRandom(ctx, 'body');
  const person = personRandom(ctx.user, 'body');
  const heightCm = person.int(155, 195);
  const baseWeight = person.float(55, 95);
  const weight = Math.round((baseWeight + rng.float(-0.8, 0.8)) * 10) / 10;
  const startMs = dayStartMs(ctx.day);
  const body: Terra.Body = {
    metadata: { start_time: stamp(startMs), end_time: stamp(startMs + 86_400_000), timestamp_localization: 0 },
    device_data: deviceData(ctx.provider),
    measurements_data: {
      measurements: [
        {
          measurement_time: stamp(startMs + rng.int(6 * 3600, 9 * 3600) * 1000),
          weight_kg: weight,
          height_cm: heightCm,
          BMI: Math.round((weight / (heightCm / 100) ** 2) * 10) / 10,
          bodyfat_percentage: person.float(12, 30),
          water_percentage: rng.float(52, 62),
          BMR: Math.round(10 * weight + 6.25 * heightCm - 5 * 35),
        },
      ],
    },
    blood_pressure_data: {
      blood_pressure_samples: [{ timestamp: stamp(startMs + 7.9 * 3600_000), systolic_bp: rng.int(108, 132), diastolic_bp: rng.int(68, 86) }],
    },
    heart_data: {
      heart_rate_data: {
        summary: heartRateSummary(rng, rng.float(60, 75), 30),
        detailed: { hr_samples: ctx.withSamples ? series(startMs, 86_400 - 1800, 1800, (timestamp) => ({ timestamp, bpm: rng.int(50, 95), context: 2 })) : [] },
      },
    },
    oxygen_data: { avg_saturation_percentage: rng.float(94.5, 98.5), saturation_samples: [], vo2_samples: [] },
    hydration_data: { day_total_water_consumption_ml: rng.int(12, 30) * 100, hydration_amount_samples: [] },
  };
  if (ctx.provider.category === 'cgm' || ctx.provider.category === 'glucose') {
    const avg = rng.float(88, 128);
    body.glucose_data = {
      day_avg_blood_glucose_mg_per_dL: avg,
      time_in_range: rng.float(70, 98),
      blood_glucose_samples: ctx.withSamples
        ? series(startMs, 86_400 - 900, 900, (timestamp) => ({ timestamp, blood_glucose_mg_per_dL: rng.float(avg - 25, avg + 35), glucose_level_flag: 0, trend_arrow: 3 }))
        : [],
      detailed_blood_glucose_samples: [],
      daily_patterns: [],
    };
  }
  return body;
}
