import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Terra user ids are UUIDs; allowing a little more keeps sandbox ids working while rejecting junk early. */
const TERRA_USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class TerraUserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!TERRA_USER_ID.test(value)) {
      throw new BadRequestException('terra_user_id must be 1-64 letters, digits, - or _ (a Terra user id)');
    }
    return value;
  }
}
