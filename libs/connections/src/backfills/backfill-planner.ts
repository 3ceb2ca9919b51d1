import type { EntityManager } from 'typeorm';
import { TERRA_DATA_REQUEST_TYPES, type TerraIntegration } from '@terra-connections/terra';
import { addDays, splitRange } from './backfill.model';

/** The data types a provider offers (the catalogue's `types` flags), in Terra's order. */
export function offeredTypes(provider: TerraIntegration | undefined): string[] {
  if (!provider) return [];
  return TERRA_DATA_REQUEST_TYPES.filter((type) => provider.types[type] === true);
}

export function isMobileSdkProvider(provider: string | null, catalogue: TerraIntegration | undefined, mobile: readonly string[]): boolean {
  return catalogue?.setup === 'sdk' || (provider !== null && mobile.includes(provider.toUpperCase()));
}

/**
 * The requests of a planned backfill: per type, the range cut into slices Terra accepts and the budget can
 * hold. Athlete has no range: one request. Inserted `scheduled`, due now.
 */
export async function insertRequests(
  tx: EntityManager,
  backfill: { id: string; terraUserId: string },
  types: readonly string[],
  range: { start: string; end: string },
  maxDays: number,
): Promise<void> {
  const rows: unknown[][] = [];
  for (const type of types) {
    const slices = type === 'athlete' ? [{ start: range.end, end: range.end }] : splitRange(range.start, range.end, maxDays);
    for (const slice of slices) rows.push([type, slice.start, slice.end]);
  }
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO backfill_requests (backfill_id, terra_user_id, data_type, start_date, end_date, send_start, send_end, next_at)
     SELECT $1::uuid, $2, t, s::date, e::date, s::date, e::date, now() FROM unnest($3::text[], $4::text[], $5::text[]) AS x(t, s, e)`,
    [backfill.id, backfill.terraUserId, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
}

/**
 * An on-connect range: the last `days` days to today, or, when the connection already holds data stored before
 * this activation (a reconnect, a recovery), only from its latest stored day: the gap.
 */
export async function onConnectRange(
  tx: EntityManager,
  connectionId: string,
  activatedAt: Date,
  days: number,
  today: string,
): Promise<{ start: string; end: string; gapFrom: string | null }> {
  const start = addDays(today, -(days - 1));
  const rows: { last: string | null }[] = await tx.query(
    `SELECT max(date)::text AS last FROM health_data WHERE connection_id = $1 AND created_at < $2 AND date IS NOT NULL AND date <= $3::date`,
    [connectionId, activatedAt, today],
  );
  const last = rows[0]?.last ?? null;
  if (last && last > start) return { start: last, end: today, gapFrom: last };
  return { start, end: today, gapFrom: null };
}
