import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/**
 * The `{id}` of /v1/connections/{id}: a connection_id (a UUID) or any Terra user id of the connection. Terra
 * user ids are UUIDs; allowing a little more keeps sandbox ids working while rejecting junk early.
 */
const CONNECTION_OR_TERRA_USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class ConnectionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CONNECTION_OR_TERRA_USER_ID.test(value)) {
      throw new BadRequestException('id must be a connection_id or a Terra user id: 1-64 letters, digits, - or _');
    }
    return value;
  }
}
