import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Repository root: the directory holding apps/, libs/ and dist/. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The built entry points the end-to-end tests run, exactly as deployed (`npm run build` writes them). */
export const DIST_ENTRIES = {
  sandbox: 'dist/apps/terra-sandbox/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
} as const;

/** Throws one clear sentence when the build output is missing, instead of a spawn error deep in a test. */
export function assertDistBuilt(): void {
  const missing = Object.values(DIST_ENTRIES).filter((entry) => !existsSync(path.join(REPO_ROOT, entry)));
  if (missing.length > 0) {
    throw new Error(
      `The end-to-end tests run the built apps, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: ` +
        'run `npm run build` first (`npm test` does it before Jest).',
    );
  }
}

/** Output kept per process for failure messages; older output is dropped. */
const OUTPUT_LIMIT = 64 * 1024;

/** Children still running, killed outright if the Jest worker exits without reaching afterAll. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One built app as a real OS process (`node dist/...`), with its output captured so a test can wait for the
 * line that says it is up (and read the port from it), and stopped with SIGTERM, then SIGKILL after a timeout.
 */
export class DistProcess {
  private output = '';
  private spawnError: Error | undefined;
  private stopRequested = false;
  readonly exited: Promise<ProcessExit>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      });
      // A process that could not be spawned never exits; record it as failed so nobody waits on it.
      child.once('error', (error) => {
        running.delete(child);
        this.spawnError = error;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Starts `node <entry>` (relative to the repo root) with exactly `env` (plus PATH). */
  static spawn(name: string, entry: string, env: NodeJS.ProcessEnv): DistProcess {
    const child = spawn(process.execPath, [entry], {
      cwd: REPO_ROOT,
      env: { ...env, PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DistProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.spawnError === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.spawnError ? `${this.output}\n(spawn failed: ${this.spawnError.message})` : this.output;
  }

  /** Resolves with the first match of `pattern` in the output; fails if the process exits or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}; its output:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms; its output:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** True when it exited without being asked to (a crash, or a start that failed). */
  get exitedUnasked(): boolean {
    return !this.running && !this.stopRequested;
  }

  /** SIGTERM and wait; SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.stopRequested = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
