import { Module } from '@nestjs/common';
import { EventFeedQuery } from '@terra-connections/connections';
import { EventsController } from './events.controller';

/** /v1/events: the outbound events feed. */
@Module({
  controllers: [EventsController],
  providers: [EventFeedQuery],
})
export class EventsHttpModule {}
