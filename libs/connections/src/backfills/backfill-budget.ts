import type { EntityManager } from 'typeorm';

const HOUR_MS = 3_600_000;

/**
 * When a call of `days` days fits a Terra user's budget of `perHour` requested days per rolling hour
 * (terra-contract.md §11): now, or when enough of the last hour's calls have aged out. Calls Terra refused
 * (429) spent nothing. A call that alone exceeds the budget fits once the hour is empty.
 */
export async function budgetFreeAt(tx: EntityManager, terraUserId: string, days: number, perHour: number, now = new Date()): Promise<Date | null> {
  const calls: { days: number; at: Date }[] = await tx.query(
    `SELECT days, at FROM backfill_calls WHERE terra_user_id = $1 AND at > $2 AND outcome <> 'rate_limited' ORDER BY at`,
    [terraUserId, new Date(now.getTime() - HOUR_MS)],
  );
  let spent = calls.reduce((sum, call) => sum + call.days, 0);
  if (spent + Math.min(days, perHour) <= perHour) return null;
  for (const call of calls) {
    spent -= call.days;
    if (spent + Math.min(days, perHour) <= perHour) return new Date(call.at.getTime() + HOUR_MS);
  }
  return new Date(now.getTime() + HOUR_MS);
}
