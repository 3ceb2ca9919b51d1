import { ControlBackfillController } from './control/control-backfill.controller';
import { BackfillScenarios } from './data/backfill-scenarios.service';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthTokenStore } from './auth/auth-token.store';
import { ConnectionService } from './auth/connection.service';
import { TerraAuthController } from './auth/terra-auth.controller';
import { WidgetSessionController } from './auth/widget-session.controller';
import { WidgetSessionService } from './auth/widget-session.service';
import { WidgetSessionStore } from './auth/widget-session.store';
import { IntegrationsController } from './catalogue/integrations.controller';
import { SandboxClock } from './common/sandbox-clock.service';
import { SandboxSettings } from './common/sandbox-settings.service';
import { TerraAuthGuard } from './common/terra-auth.guard';
import { TerraExceptionFilter } from './common/terra-exception.filter';
import { TerraTrafficService } from './common/terra-traffic.service';
import { SANDBOX_CONFIG, type SandboxConfig } from './config/sandbox-config';
import { ControlDeliveriesController } from './control/control-deliveries.controller';
import { ControlFaultsController } from './control/control-faults.controller';
import { ControlSystemController } from './control/control-system.controller';
import { ControlUsersController } from './control/control-users.controller';
import { MobileConnectController } from './control/mobile-connect.controller';
import { SandboxResetService } from './control/sandbox-reset.service';
import { ScenarioService } from './control/scenario.service';
import { DataRequestService } from './data/data-request.service';
import { TerraDataController } from './data/terra-data.controller';
import { TerraUsersController } from './users/terra-users.controller';
import { UserStore } from './users/user-store.service';
import { WidgetController } from './widget/widget.controller';
import { DeliveryLog } from './webhooks/delivery-log.service';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.service';
import { WebhookFaults } from './webhooks/webhook-faults.service';

/** The whole sandbox: Terra's REST surface, the hosted widget, webhook delivery and the control API. */
@Module({})
export class SandboxModule {
  static forRoot(config: SandboxConfig): DynamicModule {
    return {
      module: SandboxModule,
      controllers: [
        TerraAuthController,
        WidgetSessionController,
        TerraUsersController,
        IntegrationsController,
        TerraDataController,
        WidgetController,
        ControlUsersController,
        ControlDeliveriesController,
        ControlFaultsController,
        ControlSystemController,
        MobileConnectController,
        ControlBackfillController,
      ],
      providers: [
        { provide: SANDBOX_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: TerraExceptionFilter },
        TerraAuthGuard,
        SandboxClock,
        SandboxSettings,
        TerraTrafficService,
        UserStore,
        WidgetSessionStore,
        AuthTokenStore,
        WidgetSessionService,
        ConnectionService,
        DeliveryLog,
        WebhookFaults,
        WebhookDispatcher,
        DataRequestService,
        BackfillScenarios,
        ScenarioService,
        SandboxResetService,
      ],
    };
  }
}
