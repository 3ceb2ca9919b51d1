export * from './apply/abandoned-event';
export * from './apply/permanent-event.error';
export * from './apply/webhook-event-handler';
export * from './apply/webhook-event-applier';
/** The bench floor's spec pins its copy to this text. */
export { HEALTH_DATA_UPSERT } from './apply/health-data.sql';
export * from './sweep/inbox-sweeper';
export * from './prune/inbox-pruner';
export * from './prune/events-pruner';
export * from './webhook-apply.providers';
