const COLORS: Record<string, string> = {
  stack: '1;32',
  api: '36',
  worker: '35',
  sandbox: '33',
  postgres: '34',
  redis: '31',
};

/** Writes every child's lines as `[name]   line`, coloured on a terminal (unless NO_COLOR is set). */
export class PrefixedOutput {
  private readonly color: boolean;

  constructor(
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.color = Boolean(stdout.isTTY) && !env.NO_COLOR;
  }

  line(source: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const label = `[${source}]`.padEnd(10);
    const code = COLORS[source];
    const prefix = this.color && code ? `\u001b[${code}m${label}\u001b[0m` : label;
    (stream === 'stderr' ? this.stderr : this.stdout).write(`${prefix} ${text}\n`);
  }

  /** Unprefixed block (the banner). */
  block(lines: readonly string[]): void {
    this.stdout.write(`${lines.join('\n')}\n`);
  }
}
