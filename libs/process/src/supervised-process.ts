import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (missing executable, ...). */
  error?: Error;
}

export interface SupervisedProcessOptions {
  /** Short label, e.g. `api`: used in output prefixes and error messages. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every output line, without its newline. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keep a pipe on stdin: a child may take its closing as the parent being gone (the embedded Postgres runner does). */
  pipeStdin?: boolean;
  /**
   * Its own process group (the default): a terminal Ctrl-C then reaches the parent only, which stops the
   * children in order. `false` for children that should share the parent's fate.
   */
  detached?: boolean;
  /**
   * stdout and stderr appended to this file by the child itself, as a log file in production: nothing flows
   * through the parent (whose CPU a benchmark measures), so there are no lines for onLine or tail().
   */
  outputFile?: string;
}

const TAIL_LINES = 40;

/**
 * One child process under a parent's control: the dev launcher's apps and databases, a benchmark's apps, the
 * processes of an end-to-end test. Knows how it ended, keeps its last lines, and stops with SIGTERM, then
 * SIGKILL to its whole process group.
 */
export class SupervisedProcess {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  /** Set by stop(): an exit after it is expected, not a failure. */
  stopRequested = false;
  private readonly child: ChildProcess;
  private exitInfo?: ExitInfo;
  private readonly recent: string[] = [];
  private stopping?: Promise<'stopped' | 'killed'>;

  constructor(options: SupervisedProcessOptions) {
    this.name = options.name;
    const output = options.outputFile ? openOutputFile(options.outputFile) : 'pipe';
    try {
      this.child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        stdio: [options.pipeStdin ? 'pipe' : 'ignore', output, output],
        detached: options.detached ?? true,
      });
    } finally {
      // The child has its own copy of the descriptor.
      if (typeof output === 'number') closeSync(output);
    }
    const streamsClosed = Promise.all(
      (['stdout', 'stderr'] as const).map((stream) => this.follow(stream, options.onLine)),
    );
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('error', (error) => {
        // Only a failed spawn ends here with no 'exit' to follow; later errors (kill of a dead pid) are moot.
        if (this.child.pid === undefined) resolve((this.exitInfo = { code: null, signal: null, error }));
      });
      this.child.once('exit', (code, signal) => {
        // Let the last lines through (they usually say why it died; on a loaded machine they can trail the exit by
        // over a second), but never wait long on a grandchild holding the pipe.
        void Promise.race([streamsClosed, delay(5_000)]).then(() => resolve((this.exitInfo = { code, signal })));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The child's stdin, when spawned with pipeStdin. */
  get stdin(): NodeJS.WritableStream | null {
    return this.child.stdin;
  }

  /** The last lines it printed: shown when it dies, since they usually say why. */
  tail(): string[] {
    return [...this.recent];
  }

  /** "exited with code 1", "was killed by SIGKILL", "could not start (spawn x ENOENT)". */
  describeExit(info: ExitInfo | undefined = this.exitInfo): string {
    if (!info) return 'is running';
    if (info.error) return `could not start (${info.error.message})`;
    if (info.signal) return `was killed by ${info.signal}`;
    return `exited with code ${info.code}`;
  }

  /** SIGTERM, then after `timeoutMs` SIGKILL to its whole process group. Resolves once it is gone; idempotent. */
  stop(timeoutMs: number): Promise<'stopped' | 'killed'> {
    this.stopRequested = true;
    this.stopping ??= this.terminate(timeoutMs);
    return this.stopping;
  }

  private async terminate(timeoutMs: number): Promise<'stopped' | 'killed'> {
    if (!this.running) return 'stopped';
    this.signal('SIGTERM');
    const outcome = await Promise.race([this.exited.then(() => 'stopped' as const), delay(timeoutMs).then(() => 'timeout' as const)]);
    if (outcome === 'stopped') return 'stopped';
    this.killGroup();
    await this.exited;
    return 'killed';
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined || !this.running) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Last resort, also used synchronously from a parent's 'exit' handler. */
  killGroup(): void {
    if (this.child.pid === undefined || !this.running) return;
    for (const target of [-this.child.pid, this.child.pid]) {
      try {
        process.kill(target, 'SIGKILL');
        return;
      } catch {
        // no such group: try the process itself
      }
    }
  }

  private follow(stream: 'stdout' | 'stderr', onLine: SupervisedProcessOptions['onLine']): Promise<void> {
    const source = this.child[stream];
    if (!source) return Promise.resolve();
    const lines = createInterface({ input: source, crlfDelay: Infinity });
    lines.on('line', (line) => {
      this.recent.push(line);
      if (this.recent.length > TAIL_LINES) this.recent.shift();
      onLine?.(line, stream);
    });
    return new Promise((resolve) => lines.once('close', () => resolve()));
  }
}

function openOutputFile(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, 'a');
}

/** A timer that never keeps the parent alive on its own. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
