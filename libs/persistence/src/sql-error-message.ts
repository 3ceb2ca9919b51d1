/**
 * Quoted text Postgres keeps in a message when it names a schema object; every other quoted run (`"..."` or
 * `'...'`) may be a value taken from the statement's parameters (`invalid input syntax for type uuid: "x"`).
 */
const IDENTIFIER_BEFORE = /(?:relation|constraint|column|table|index|schema|database|sequence|function|operator|role|extension|type)\s$/i;

/**
 * A Postgres error message with every quoted value replaced by `"…"`, so neither logs nor stored errors
 * echo payload values. Names of relations, constraints and columns are kept: they are ours, not the user's.
 */
export function stripQuotedValues(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (quoted, offset: number, whole: string) =>
    IDENTIFIER_BEFORE.test(whole.slice(Math.max(0, offset - 20), offset)) && quoted.startsWith('"') ? quoted : quoted[0] + '…' + quoted[0],
  );
}

/** SQLSTATE of a pg error, raw or wrapped by TypeORM (QueryFailedError.driverError). */
export function sqlState(error: unknown): string | undefined {
  const candidates = [error, (error as { driverError?: unknown } | null)?.driverError];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
