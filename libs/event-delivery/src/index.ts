export * from './address-guard';
export * from './event-sender';
export * from './event-dispatcher';
export * from './event-deliverer';
