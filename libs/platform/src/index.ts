export * from './platform-modules';
