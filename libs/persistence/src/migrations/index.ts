import { CreateConnections1764000000000 } from './1764000000000-CreateConnections';
import { CreateWebhookInbox1764000001000 } from './1764000001000-CreateWebhookInbox';
import { AddScopesChangedAt1764000002000 } from './1764000002000-AddScopesChangedAt';
import { AddWebhookEventsProcessedIndex1764000003000 } from './1764000003000-AddWebhookEventsProcessedIndex';
import { SpreadWebhookEventIds1764000004000 } from './1764000004000-SpreadWebhookEventIds';
import { ConnectionIdentity1764000006000 } from './1764000006000-ConnectionIdentity';
import { CreateEventOutbox1764000008000 } from './1764000008000-CreateEventOutbox';
import { CreateWebhookEndpoints1764000009000 } from './1764000009000-CreateWebhookEndpoints';
import { AddHealthDataPayloadBytes1764000010000 } from './1764000010000-AddHealthDataPayloadBytes';
import { ConnectionHealth1764000011000 } from './1764000011000-ConnectionHealth';
import { CreateBackfills1764000012000 } from './1764000012000-CreateBackfills';
import { OrderEventsByWriterLock1764000013000 } from './1764000013000-OrderEventsByWriterLock';

// Order matters and names are persisted in typeorm_migrations: append only, never rename or edit a
// migration that has shipped.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [
  CreateConnections1764000000000,
  CreateWebhookInbox1764000001000,
  AddScopesChangedAt1764000002000,
  AddWebhookEventsProcessedIndex1764000003000,
  SpreadWebhookEventIds1764000004000,
  ConnectionIdentity1764000006000,
  CreateEventOutbox1764000008000,
  CreateWebhookEndpoints1764000009000,
  AddHealthDataPayloadBytes1764000010000,
  ConnectionHealth1764000011000,
  CreateBackfills1764000012000,
  OrderEventsByWriterLock1764000013000,
];
