import { existsSync } from 'node:fs';
import path from 'node:path';
import { SupervisedProcess, type ExitInfo } from '@terra-connections/process';

/** Repository root: the directory holding apps/, libs/ and dist/. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The built entry points the end-to-end tests run, exactly as deployed (`npm run build` writes them). */
export const DIST_ENTRIES = {
  sandbox: 'dist/apps/terra-sandbox/src/main.js',
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
} as const;

export type DistApp = keyof typeof DIST_ENTRIES;

/** Throws one clear sentence when the build output is missing, instead of a spawn error deep in a test. */
export function assertDistBuilt(entries: readonly string[] = Object.values(DIST_ENTRIES)): void {
  const missing = entries.filter((entry) => !existsSync(path.join(REPO_ROOT, entry)));
  if (missing.length > 0) {
    throw new Error(
      `The end-to-end tests run the built code, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: ` +
        'run `npm run build` first (`npm test` and `npm run test:e2e` do it before Jest).',
    );
  }
}

/** Output kept per process (tests read the apps' logs); older output is dropped beyond it. */
const OUTPUT_LIMIT = 1024 * 1024;
/** How much of it a failure message shows. */
const MESSAGE_TAIL = 16 * 1024;

/** Children still running, killed outright if the Jest worker exits without reaching afterAll. */
const running = new Set<SupervisedProcess>();
process.once('exit', () => {
  for (const child of running) child.killGroup();
});

/**
 * One built app as a real OS process (`node dist/...`), with its output kept so a test can wait for the line
 * that says it is up (and read the port from it), and stopped with SIGTERM, then SIGKILL after a timeout.
 */
export class DistProcess {
  private output = '';
  private readonly child: SupervisedProcess;

  private constructor(
    readonly name: string,
    entry: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = new SupervisedProcess({
      name,
      command: process.execPath,
      args: [entry],
      cwd: REPO_ROOT,
      env: { ...env, PATH: process.env.PATH },
      // In the Jest worker's process group: an interrupted test run interrupts its apps too.
      detached: false,
      onLine: (line) => {
        this.output += `${line}\n`;
        if (this.output.length > OUTPUT_LIMIT) this.output = this.output.slice(-OUTPUT_LIMIT);
      },
    });
    running.add(this.child);
    void this.child.exited.then(() => running.delete(this.child));
  }

  /** Starts `node <entry>` (relative to the repo root) with exactly `env` (plus PATH). */
  static spawn(name: string, entry: string, env: NodeJS.ProcessEnv): DistProcess {
    return new DistProcess(name, entry, env);
  }

  /** Starts one of our built apps and waits for the line saying it is up ("... listening on", "... started"). */
  static async start(app: DistApp, env: NodeJS.ProcessEnv, { ready = /started|listening/, timeoutMs = 30_000 } = {}): Promise<DistProcess> {
    assertDistBuilt([DIST_ENTRIES[app]]);
    const child = DistProcess.spawn(app, DIST_ENTRIES[app], env);
    await child.waitForOutput(ready, timeoutMs);
    return child;
  }

  get exited(): Promise<ExitInfo> {
    return this.child.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  get log(): string {
    return this.child.describeExit().startsWith('could not start') ? `${this.output}\n(${this.child.describeExit()})` : this.output;
  }

  /** Resolves with the first match of `pattern` in the output; fails if the process exits or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} ${this.child.describeExit()} before printing ${pattern}; its output:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms; its output:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** True when it exited without being asked to (a crash, or a start that failed). */
  get exitedUnasked(): boolean {
    return !this.running && !this.child.stopRequested;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.signal(signal);
  }

  /** SIGKILL now, as a crash would; a test's own kill, so not reported as a crash when the stack stops. */
  kill(): Promise<ExitInfo> {
    this.child.stopRequested = true;
    this.child.signal('SIGKILL');
    return this.child.exited;
  }

  /** SIGTERM and wait; SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<ExitInfo> {
    await this.child.stop(timeoutMs);
    return this.child.exited;
  }

  private tail(): string {
    return this.log.slice(-MESSAGE_TAIL);
  }
}
