import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Inbox ids are bigints, carried as strings so they never lose precision. */
@Injectable()
export class WebhookEventIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,17}$/.test(value)) throw new BadRequestException('id must be a positive integer (a webhook event id)');
    return value;
  }
}
