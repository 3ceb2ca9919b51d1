/**
 * `npm start`: the whole product on one machine with no Terra account and no manual setup. Finds or starts
 * Postgres and Redis, migrates, runs the Terra sandbox (unless TERRA_API_KEY is set), the API and a worker,
 * and stops all of them on Ctrl-C / SIGTERM or as soon as one dies. See docs/local-stack.md.
 */
import 'reflect-metadata';
import path from 'node:path';
import { StackSupervisor } from '@terra-connections/process';
import { DevStackError } from './dev-stack/dev-stack.error';
import { startDevStack } from './dev-stack/dev-stack.orchestrator';
import { PrefixedOutput } from './dev-stack/prefixed-output';
import { stackLayout } from './dev-stack/stack-layout';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const STOP_TIMEOUT_MS = 10_000;

type Outcome =
  | { kind: 'up'; banner: string[] }
  | { kind: 'error'; error: unknown }
  | { kind: 'signal'; signal: string }
  | { kind: 'failed'; reason: string };

async function main(): Promise<number> {
  const output = new PrefixedOutput();
  const log = (message: string, stream: 'stdout' | 'stderr' = 'stdout') => output.line('stack', message, stream);
  const supervisor = new StackSupervisor(STOP_TIMEOUT_MS);
  process.on('exit', () => supervisor.killAllNow());

  // npm forwards the terminal's SIGINT too, so a second signal is routine: stopping already has a deadline.
  const stopSignal = new Promise<string>((resolve) => {
    for (const signal of STOP_SIGNALS) process.on(signal, () => resolve(signal));
    // Orphaned (npm or the shell above us killed): nobody could Ctrl-C us any more, and we hold the ports.
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && resolve('the parent process is gone'), 1_000).unref();
  });

  const startup = startDevStack({
    env: process.env,
    layout: stackLayout(__dirname, path.extname(__filename)),
    output,
    supervisor,
  });
  const whileRunning = [
    stopSignal.then((signal): Outcome => ({ kind: 'signal', signal })),
    supervisor.failure.then((reason): Outcome => ({ kind: 'failed', reason })),
  ];
  let outcome = await Promise.race<Outcome>([
    startup.then(
      (banner): Outcome => ({ kind: 'up', banner }),
      (error: unknown): Outcome => ({ kind: 'error', error }),
    ),
    ...whileRunning,
  ]);
  if (outcome.kind === 'up') {
    output.block(outcome.banner);
    outcome = await Promise.race(whileRunning);
  }

  let code = 0;
  if (outcome.kind === 'signal') {
    log(`${outcome.signal}: stopping everything`);
  } else if (outcome.kind === 'failed') {
    log(`${outcome.reason} (its last output is above); stopping the rest`, 'stderr');
    code = 1;
  } else if (outcome.kind === 'error') {
    const { error } = outcome;
    log(error instanceof DevStackError ? error.message : `npm start failed: ${error instanceof Error ? error.stack : String(error)}`, 'stderr');
    code = 1;
  }
  const killed = await supervisor.close();
  if (killed.length > 0) {
    log(`${killed.join(', ')} did not stop within ${STOP_TIMEOUT_MS / 1000} s and had to be killed`, 'stderr');
    code = 1;
  }
  log(code === 0 ? 'stopped' : 'stopped with errors');
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
