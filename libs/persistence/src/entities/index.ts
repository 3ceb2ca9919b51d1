import { ConnectionAttemptEntity } from './connection-attempt.entity';
import { HealthDataEntity } from './health-data.entity';
import { TerraConnectionEntity } from './terra-connection.entity';
import { WebhookEventEntity } from './webhook-event.entity';

export * from './connection-attempt.entity';
export * from './health-data.entity';
export * from './terra-connection.entity';
export * from './webhook-event.entity';

export const ENTITIES = [TerraConnectionEntity, ConnectionAttemptEntity, WebhookEventEntity, HealthDataEntity];
