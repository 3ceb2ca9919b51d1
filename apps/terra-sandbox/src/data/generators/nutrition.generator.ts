import type { Terra } from 'terra-api';
import { dayStartMs, itemRandom, stamp, type GeneratorContext } from './generator-context';

/** [name, MealType, grams, kcal, protein, carbs, fat] */
const MEALS: readonly (readonly [string, number, number, number, number, number, number])[] = [
  ['Oatmeal with blueberries', 1, 250, 389, 13.2, 62.1, 8.4],
  ['Scrambled eggs on toast', 1, 220, 420, 24.0, 30.5, 21.0],
  ['Greek yoghurt with honey', 2, 170, 210, 15.0, 24.0, 5.5],
  ['Chicken salad', 3, 320, 480, 38.0, 18.0, 27.0],
  ['Lentil soup', 3, 400, 360, 22.0, 52.0, 6.0],
  ['Apple', 4, 180, 95, 0.5, 25.0, 0.3],
  ['Salmon with rice', 5, 380, 640, 41.0, 58.0, 24.0],
  ['Vegetable stir fry', 5, 350, 450, 16.0, 55.0, 17.0],
  ['Dark chocolate', 6, 25, 140, 2.0, 11.0, 10.0],
];

export function generateNutrition(ctx: GeneratorContext): Terra.Nutrition {
  const rng = itemRandom(ctx, 'nutrition');
  const startMs = dayStartMs(ctx.day);
  const chosen = [rng.pick(MEALS.slice(0, 2)), rng.pick(MEALS.slice(3, 5)), rng.pick(MEALS.slice(6, 8)), rng.pick([MEALS[2], MEALS[5], MEALS[8]])];
  const hours: Record<number, number> = { 1: 7.5, 2: 10.5, 3: 12.75, 4: 15.5, 5: 19, 6: 21 };
  const meals: Terra.Meal[] = chosen.map(([name, type, grams, calories, protein, carbs, fat]) => ({
    id: rng.digits(11),
    name,
    type,
    timestamp: stamp(startMs + hours[type] * 3600_000),
    quantity: { unit: 1, amount: grams },
    macros: { calories, protein_g: protein, carbohydrates_g: carbs, fat_g: fat },
    micros: {},
  }));
  const sum = (pick: (meal: Terra.Meal) => number | undefined) => Math.round(meals.reduce((total, meal) => total + (pick(meal) ?? 0), 0) * 10) / 10;
  const waterMl = rng.int(10, 28) * 100;
  return {
    metadata: { start_time: stamp(startMs), end_time: stamp(startMs + 86_400_000), timestamp_localization: 0 },
    summary: {
      macros: {
        calories: sum((m) => m.macros.calories),
        protein_g: sum((m) => m.macros.protein_g),
        carbohydrates_g: sum((m) => m.macros.carbohydrates_g),
        fat_g: sum((m) => m.macros.fat_g),
      },
      micros: {},
      water_ml: waterMl,
      drink_ml: 500,
    },
    meals,
    drink_samples: [
      { timestamp: stamp(startMs + 8 * 3600_000), drink_name: 'Coffee', drink_volume: 250, drink_unit: 'ml' },
      { timestamp: stamp(startMs + 14 * 3600_000), drink_name: 'Tea', drink_volume: 250, drink_unit: 'ml' },
    ],
  };
}
