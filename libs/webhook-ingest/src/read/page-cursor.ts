import { InvalidPageCursorError } from '../webhook-ingest.errors';

/** Opaque keyset cursors: base64url JSON, so clients never build or parse them. */
export function encodeCursor(position: Record<string, string | null>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string | null> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      // Exactly the list's own keys: a cursor of another list (the /data cursor has `i` too) is not this one's.
      const exact = Object.keys(record).length === keys.length;
      if (exact && keys.every((key) => record[key] === null || typeof record[key] === 'string')) {
        return record as Record<K, string | null>;
      }
    }
  } catch {
    // fall through
  }
  throw invalidCursor();
}

export function invalidCursor(): InvalidPageCursorError {
  return new InvalidPageCursorError();
}

/** One keyset page, and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
