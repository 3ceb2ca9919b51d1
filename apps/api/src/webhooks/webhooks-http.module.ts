import { Module } from '@nestjs/common';

/** Terra's webhook receiver (/webhooks/terra) and the inbox read/replay routes (issue 3). */
@Module({})
export class WebhooksHttpModule {}
