import type { Terra } from 'terra-api';
import type { DataType } from '../../catalogue/provider-catalogue';
import { generateActivity } from './activity.generator';
import { generateBody } from './body.generator';
import { generateDaily } from './daily.generator';
import type { GeneratorContext } from './generator-context';
import { generateMenstruation } from './menstruation.generator';
import { generateNutrition } from './nutrition.generator';
import { generateSleep } from './sleep.generator';

export type DataItem = Terra.Activity | Terra.Body | Terra.Daily | Terra.Sleep | Terra.Nutrition | Terra.Menstruation;

/** One generator per data type; each returns the SDK type of its `data[]` items. */
export const DATA_GENERATORS: Record<DataType, (ctx: GeneratorContext) => DataItem> = {
  activity: generateActivity,
  body: generateBody,
  daily: generateDaily,
  sleep: generateSleep,
  nutrition: generateNutrition,
  menstruation: generateMenstruation,
};
