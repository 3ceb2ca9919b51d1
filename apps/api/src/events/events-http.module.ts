import { Module } from '@nestjs/common';
import { EventFeedQuery } from '@terra-connections/connections';
import { EventsModule } from '@terra-connections/events';
import { WebhookEndpointsController } from '../webhook-endpoints/webhook-endpoints.controller';
import { EventsController } from './events.controller';

/** The outbound events: the feed (/v1/events) and the endpoints they are delivered to (/v1/webhook-endpoints). */
@Module({
  imports: [EventsModule],
  controllers: [EventsController, WebhookEndpointsController],
  providers: [EventFeedQuery],
})
export class EventsHttpModule {}
