import { InvalidCursorError } from './connections.errors';

const MAX_BIGINT = 9223372036854775807n;

/**
 * Keyset cursor: base64url of the last row's id. Opaque to callers so the ordering key can change without
 * breaking their code; strict on decode so a tampered cursor is the caller's InvalidCursorError, never a SQL
 * error.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT || encodeCursor(id) !== cursor) throw new InvalidCursorError();
  return id;
}
