import { Module } from '@nestjs/common';
import { EndpointDeliveriesQuery } from './endpoint-deliveries.query';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/** The webhook endpoints and their delivery log; needs DataSource and APP_CONFIG from the host. */
@Module({
  providers: [WebhookEndpointsService, EndpointDeliveriesQuery],
  exports: [WebhookEndpointsService, EndpointDeliveriesQuery],
})
export class EventsModule {}
