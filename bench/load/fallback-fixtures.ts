/**
 * Used only when ../shared/terra/fixtures is absent (a bare clone): Terra-shaped events with the same
 * envelope and the same kinds of sample arrays, so the byte mix stays close to the real one.
 */
const USER = {
  user_id: '5220432c-8cb7-4afb-bcb7-0236903bcbfd',
  provider: 'GARMIN',
  last_webhook_update: '2025-11-04T23:58:40.071000+00:00',
  scopes: 'COURSE_IMPORT,WORKOUT_IMPORT,ACTIVITY_EXPORT,HEALTH_EXPORT',
  reference_id: 'u_2f8e5d1c9b',
  active: true,
};

function samples(count: number, make: (i: number) => Record<string, unknown>): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

const at = (i: number, stepMinutes: number) => new Date(Date.UTC(2025, 10, 4) + i * stepMinutes * 60_000).toISOString().replace('Z', '000+00:00');

const dayMetadata = { start_time: '2025-11-04T00:00:00.000000+00:00', end_time: '2025-11-05T00:00:00.000000+00:00', timestamp_localization: 0 };
const device = { name: 'Forerunner 265', manufacturer: 'Garmin', software_version: '21.19', data_provided: ['HEART_RATE', 'STEPS'] };

export const FALLBACK_FIXTURES: Record<string, Record<string, unknown>> = {
  auth_success: {
    type: 'auth',
    status: 'success',
    widget_session_id: '627cca96-8e1b-4ee6-8af4-a862af55a916',
    user: { ...USER, last_webhook_update: null, created_at: '2025-11-03T08:15:42.118000+00:00' },
    reference_id: 'u_2f8e5d1c9b',
    message: 'User has successfully authenticated',
    version: '2022-03-16',
  },
  permission_change: {
    type: 'permission_change',
    status: 'warning',
    message: 'User permissions have been modified',
    version: '2022-03-16',
    scopes_added: 'oxygen_saturation,respiratory_rate',
    scopes_removed: 'location',
    user: { ...USER, scopes: 'activity,heartrate,nutrition,oxygen_saturation,profile,respiratory_rate,sleep,weight' },
  },
  connection_error: { type: 'connection_error', status: 'warning', message: 'User connection degraded', user: USER },
  large_request_sending: {
    type: 'large_request_sending',
    message: 'Large request is being sent',
    expected_payloads: 6,
    user: USER,
    reference: 'd972494a-8798-42fa-afbf-58798df442c7',
  },
  daily: {
    type: 'daily',
    version: '2022-03-16',
    user: USER,
    data: [
      {
        metadata: { ...dayMetadata, upload_type: 1 },
        device_data: device,
        distance_data: { steps: 18719, distance_meters: 14788.0, detailed: { step_samples: samples(96, (i) => ({ timestamp: at(i, 15), steps: (i * 37) % 400 })) } },
        heart_rate_data: { summary: { avg_hr_bpm: 67, max_hr_bpm: 171, min_hr_bpm: 46, resting_hr_bpm: 51 }, detailed: { hr_samples: samples(96, (i) => ({ timestamp: at(i, 15), bpm: 50 + (i % 40) })) } },
        scores: { recovery: null, activity: 81, sleep: 77 },
        data_enrichment: { readiness_score: 74, stress_score: 31 },
      },
    ],
  },
  activity: {
    type: 'activity',
    version: '2022-03-16',
    user: USER,
    data: [
      {
        metadata: { name: 'London Running', summary_id: '21847365012', type: 8, upload_type: 1, start_time: '2025-11-04T07:04:11.000000+00:00', end_time: '2025-11-04T07:52:48.000000+00:00' },
        device_data: device,
        heart_rate_data: { summary: { avg_hr_bpm: 152, max_hr_bpm: 178 }, detailed: { hr_samples: samples(180, (i) => ({ timestamp: at(i, 0.25), bpm: 120 + (i % 50) })) } },
        position_data: { position_samples: samples(180, (i) => ({ timestamp: at(i, 0.25), coords_lat_lng_deg: [51.5 + i / 1e4, -0.12 - i / 1e4] })) },
      },
    ],
  },
  sleep: {
    type: 'sleep',
    version: '2022-03-16',
    user: USER,
    data: [
      {
        metadata: { summary_id: 'a8622a29-6d27-4d9e-9de1-e625ec753dbe', start_time: '2025-11-04T23:12:30.000000-05:00', end_time: '2025-11-05T07:01:30.000000-05:00', is_nap: false },
        sleep_durations_data: { asleep: { duration_asleep_state_seconds: 25740 }, hypnogram_samples: samples(120, (i) => ({ timestamp: at(i, 4), level: i % 5 })) },
        heart_rate_data: { detailed: { hr_samples: samples(120, (i) => ({ timestamp: at(i, 4), bpm: 48 + (i % 12) })) } },
        scores: { sleep: 82 },
      },
    ],
  },
  body: {
    type: 'body',
    version: '2022-03-16',
    user: USER,
    data: [
      {
        metadata: dayMetadata,
        device_data: device,
        measurements_data: { measurements: [{ measurement_time: '2025-11-05T07:48:12.000000+00:00', weight_kg: 72.8, BMI: 22.5 }] },
        heart_data: { heart_rate_data: { detailed: { hr_samples: samples(48, (i) => ({ timestamp: at(i, 30), bpm: 49 + (i % 20) })) } } },
      },
    ],
  },
  nutrition: {
    type: 'nutrition',
    version: '2022-03-16',
    user: USER,
    data: [
      {
        metadata: dayMetadata,
        summary: { macros: { calories: 2081, protein_g: 119.0, carbohydrates_g: 233.7, fat_g: 70.6 } },
        meals: samples(24, (i) => ({ name: `meal ${i}`, id: `m${i}`, timestamp: at(i, 40), macros: { calories: 80 + i, protein_g: 4.1, fat_g: 2.2 } })),
      },
    ],
  },
};
