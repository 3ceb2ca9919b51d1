import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SupervisedProcess } from '@terra-connections/process';
import { REPO_ROOT } from './paths';

const live = new Set<ChildApp>();

/** Last resort on exit: SIGKILL whatever is still running (normal paths stop() each app). */
export function killAllChildrenNow(): void {
  for (const app of live) app.killNow();
}

export interface ChildAppOptions {
  name: string;
  /** A compiled entry point relative to the repo root, e.g. dist/apps/api/src/main.js. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here, as they would to a log file in production. */
  logFile: string;
  /** Polled until true. */
  ready: () => Promise<boolean>;
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** One of the processes under test, spawned from dist/ so its pid is the node process we sample. */
export class ChildApp {
  private constructor(
    readonly name: string,
    private readonly child: SupervisedProcess,
    readonly logFile: string,
  ) {
    live.add(this);
    void child.exited.then(() => live.delete(this));
  }

  static async start(options: ChildAppOptions): Promise<ChildApp> {
    const child = new SupervisedProcess({
      name: options.name,
      command: process.execPath,
      args: [...(options.nodeArgs ?? []), path.join(REPO_ROOT, options.entry)],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ...options.env },
      // The child writes its log itself: none of its output costs the load generator's CPU.
      outputFile: options.logFile,
      // A Ctrl-C on the bench reaches its apps too.
      detached: false,
    });
    const app = new ChildApp(options.name, child, options.logFile);
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (!app.running) throw new Error(`${options.name} ${child.describeExit()} during start-up:\n${app.tail()}`);
      if (await options.ready().catch(() => false)) return app;
      if (Date.now() > deadline) {
        await app.stop();
        throw new Error(`${options.name} not ready within ${options.timeoutMs ?? 30_000} ms:\n${app.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.running;
  }

  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM (apps drain on it), SIGKILL after timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.child.stop(timeoutMs);
  }

  killNow(): void {
    this.child.killGroup();
  }
}
