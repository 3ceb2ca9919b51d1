import type { Terra } from 'terra-api';
import type { DataType } from '../catalogue/provider-catalogue';
import type { TerraUserPayload } from '../users/sandbox-user';
import { API_VERSION } from '../webhooks/terra-events';
import type { DataItem } from './generators/data-generators';

/** A data webhook: `{type, version, user, data: [...]}` (terra-contract.md §5). */
export function dataEvent(type: DataType, user: TerraUserPayload, data: DataItem[]): { type: string } & Record<string, unknown> {
  return { type, version: API_VERSION, user, data };
}

/** The athlete webhook carries an object, not `data` (terra-contract.md §5). */
export function athleteEvent(user: TerraUserPayload, athlete: Terra.Athlete): { type: string } & Record<string, unknown> {
  return { type: 'athlete', version: API_VERSION, user, athlete };
}

/** A daily item as it looked earlier in the day: Terra re-sends daily totals as supersets (terra-contract.md §5). */
export function partialDaily(item: Terra.Daily, fraction: number): Terra.Daily {
  const scale = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * fraction));
  return {
    ...item,
    distance_data: { ...item.distance_data, steps: scale(item.distance_data?.steps), distance_meters: scale(item.distance_data?.distance_meters) },
    calories_data: {
      ...item.calories_data,
      total_burned_calories: scale(item.calories_data?.total_burned_calories),
      net_activity_calories: scale(item.calories_data?.net_activity_calories),
    },
    active_durations_data: { ...item.active_durations_data, activity_seconds: scale(item.active_durations_data?.activity_seconds) },
  };
}
