export * from './free-port';
export * from './supervised-process';
export * from './stack-supervisor';
