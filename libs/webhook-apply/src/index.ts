export * from './apply/permanent-event.error';
export * from './apply/webhook-event-handler';
export * from './apply/webhook-event-applier';
export * from './sweep/inbox-sweeper';
export * from './prune/inbox-pruner';
export * from './webhook-apply.providers';
