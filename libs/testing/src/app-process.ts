import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Repository root: the directory holding apps/ and libs/. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One of our apps as a real OS process, run from source (`node -r @swc-node/register <entry>`), for tests
 * where process boundaries matter: SIGTERM, several workers at once.
 */
export class AppProcess {
  private output = '';
  readonly exited: Promise<AppExit>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts `entry` (relative to the repo root) and waits until it prints `ready`. */
  static async start(
    entry: string,
    env: NodeJS.ProcessEnv,
    { ready = /started|listening/, timeoutMs = 20_000 }: { ready?: RegExp; timeoutMs?: number } = {},
  ): Promise<AppProcess> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
      cwd: REPO_ROOT,
      env: { ...env, PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child);
    await app.waitForOutput(ready, timeoutMs);
    return app;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) throw new Error(`process exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM and wait; SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<AppExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
