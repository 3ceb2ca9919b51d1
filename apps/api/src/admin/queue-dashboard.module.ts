import { DynamicModule, Module } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, type BullBoardModuleOptions } from '@bull-board/nestjs';
import type { AppConfig } from '@terra-connections/config';
import { TERRA_WEBHOOK_QUEUE } from '@terra-connections/queue';
import { adminAuthMiddleware } from './admin-auth.middleware';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues behind ADMIN_API_KEYS: inspect, retry and clean jobs, dead letters included.
 * Only imported when BULL_BOARD_ENABLED (on by default, off by default in production); otherwise the path is a 404.
 */
@Module({})
export class QueueDashboardModule {
  static forRoot(config: Pick<AppConfig, 'ADMIN_API_KEYS'>): DynamicModule {
    return {
      module: QueueDashboardModule,
      imports: [
        BullBoardModule.forRoot({
          route: QUEUE_DASHBOARD_PATH,
          // @bull-board/express carries its own copy of @bull-board/api's typings; the runtime contract is the same.
          adapter: ExpressAdapter as unknown as BullBoardModuleOptions['adapter'],
          middleware: adminAuthMiddleware(config.ADMIN_API_KEYS),
          boardOptions: { uiConfig: { boardTitle: 'terra-connections' } },
        }),
        // The queue registered by WebhookQueueModule (found by name in the app's container).
        BullBoardModule.forFeature({ name: TERRA_WEBHOOK_QUEUE, adapter: BullMQAdapter }),
      ],
    };
  }
}
