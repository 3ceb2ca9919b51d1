import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  static async start(options: ChildAppOptions): Promise<ChildApp> {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, 'a');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(REPO_ROOT, options.entry)], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const app = new ChildApp(options.name, child, options.logFile);
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (!app.running) throw new Error(`${options.name} exited during start-up:\n${app.tail()}`);
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
    return this.child.exitCode === null && this.child.signalCode === null;
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
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
