import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A webhook endpoint's `{id}` is the UUID we issued: anything else is a 400 that does not echo it back. */
@Injectable()
export class WebhookEndpointIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new BadRequestException('id must be a webhook endpoint id (a UUID)');
    return value.toLowerCase();
  }
}

/** A delivery's `{deliveryId}`: the positive integer the delivery log shows. */
@Injectable()
export class DeliveryIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,17}$/.test(value)) throw new BadRequestException('deliveryId must be a delivery id (a positive integer)');
    return value;
  }
}
