import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Control characters (NUL included, which Postgres cannot store in text). */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** terra_connections.terra_user_id is varchar(64): characters, not UTF-16 units. */
const MAX_ID_CHARACTERS = 64;

/**
 * The `{id}` of /v1/connections/{id}: a connection_id (a UUID) or any Terra user id of the connection. Terra's
 * ids are UUIDs, but the webhook route stores any id of at most 64 characters, so any such id (without control
 * characters) must be reachable here too; anything longer cannot name a connection and is a 400, not a lookup.
 */
@Injectable()
export class ConnectionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length === 0 || CONTROL.test(value) || [...value].length > MAX_ID_CHARACTERS) {
      throw new BadRequestException('id must be a connection_id or a Terra user id: 1-64 characters, no control characters');
    }
    return value;
  }
}
