import { tmpdir } from 'node:os';
import { SupervisedProcess } from '@terra-connections/process';
import { DevStackError } from './dev-stack.error';
import type { PrefixedOutput } from './prefixed-output';
import { waitUntilReady } from './readiness';
import { probeRedis } from './redis-probe';

export interface StartedRedis {
  process: SupervisedProcess;
  url: string;
}

/** The flags of a throwaway dev Redis: loopback only, nothing written to disk, BullMQ's eviction policy. */
export function redisServerArgs(port: number): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--maxmemory-policy', 'noeviction',
    '--dir', tmpdir(),
    '--loglevel', 'warning',
  ];
}

/** Spawns `redis-server` on `port` and resolves once it answers PING. */
export async function startRedisServer(options: {
  executable: string;
  port: number;
  output: PrefixedOutput;
  /** Called right after spawning, before it is ready: whoever stops the stack must know it from then on. */
  onSpawn?: (child: SupervisedProcess) => void;
}): Promise<StartedRedis> {
  const url = `redis://127.0.0.1:${options.port}`;
  const child = new SupervisedProcess({
    name: 'redis',
    command: options.executable,
    args: redisServerArgs(options.port),
    env: process.env,
    onLine: (line, stream) => options.output.line('redis', line, stream),
  });
  options.onSpawn?.(child);
  try {
    await waitUntilReady(child, async () => (await probeRedis(url)).state === 'ready', {
      timeoutMs: 30_000,
      what: `answer PING on ${url}`,
    });
  } catch (error) {
    await child.stop(2_000);
    throw error instanceof DevStackError ? error : new DevStackError(String(error));
  }
  return { process: child, url };
}
