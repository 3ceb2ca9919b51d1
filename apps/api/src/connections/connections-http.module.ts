import { Module } from '@nestjs/common';

/** HTTP surface for internal services: /v1/connections, /v1/providers (issue 2). */
@Module({})
export class ConnectionsHttpModule {}
