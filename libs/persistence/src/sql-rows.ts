/**
 * Rows of a raw query. TypeORM's postgres driver returns `[rows, rowCount]` for UPDATE and DELETE (even with
 * RETURNING) and plain `rows` for everything else; every UPDATE ... RETURNING here goes through this.
 */
export function sqlRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
