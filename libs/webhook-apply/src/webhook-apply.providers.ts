import type { Provider } from '@nestjs/common';
import { AccessRevokedHandler } from './apply/handlers/access-revoked.handler';
import { AuthFailedHandler } from './apply/handlers/auth-failed.handler';
import { AuthSucceededHandler } from './apply/handlers/auth-succeeded.handler';
import { BackfillMarkerHandler } from './apply/handlers/backfill-marker.handler';
import { ConnectionErrorHandler } from './apply/handlers/connection-error.handler';
import { DeauthHandler } from './apply/handlers/deauth.handler';
import { HealthDataHandler } from './apply/handlers/health-data.handler';
import { InformationalHandler } from './apply/handlers/informational.handler';
import { PermissionChangeHandler } from './apply/handlers/permission-change.handler';
import { UserReauthHandler } from './apply/handlers/user-reauth.handler';
import { WEBHOOK_EVENT_HANDLERS, type WebhookEventHandler } from './apply/webhook-event-handler';
import { WebhookEventApplier } from './apply/webhook-event-applier';
import { ConnectionReconciler, FreshnessEvaluator } from '@terra-connections/connections';
import { EventsPruner } from './prune/events-pruner';
import { InboxPruner } from './prune/inbox-pruner';
import { InboxSweeper } from './sweep/inbox-sweeper';

const HANDLERS = [
  AuthSucceededHandler,
  AuthFailedHandler,
  DeauthHandler,
  UserReauthHandler,
  AccessRevokedHandler,
  ConnectionErrorHandler,
  PermissionChangeHandler,
  HealthDataHandler,
  BackfillMarkerHandler,
  InformationalHandler,
];

/** One of each handler, outside Nest (tests that drive the applier directly): none has dependencies. */
export function createWebhookEventHandlers(): WebhookEventHandler[] {
  return HANDLERS.map((Handler) => new Handler() as WebhookEventHandler);
}

/**
 * Everything the worker needs to apply, sweep, prune and reconcile. A provider list rather than a module: the
 * sweeper injects the webhook queue, which is registered in the worker's own module (WebhookQueueModule).
 * Needs DataSource, APP_CONFIG, the queue, and TERRA_USER_DIRECTORY bound by the host module.
 */
export const WEBHOOK_APPLY_PROVIDERS: Provider[] = [
  ...HANDLERS,
  {
    provide: WEBHOOK_EVENT_HANDLERS,
    inject: HANDLERS,
    useFactory: (...handlers: WebhookEventHandler[]) => handlers,
  },
  WebhookEventApplier,
  InboxSweeper,
  InboxPruner,
  EventsPruner,
  ConnectionReconciler,
  FreshnessEvaluator,
];
