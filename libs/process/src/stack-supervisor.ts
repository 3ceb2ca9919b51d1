import type { SupervisedProcess } from './supervised-process';

/**
 * Owns every child of a launcher (`npm start`'s). Stops the apps first (they drain jobs and close their connections) and
 * the databases they use last; reports the first child that dies on its own.
 */
export class StackSupervisor {
  /** Resolves with a reason ("worker exited with code 1") when a child dies without being asked to. */
  readonly failure: Promise<string>;
  private readonly apps: SupervisedProcess[] = [];
  private readonly infra: SupervisedProcess[] = [];
  private closing?: Promise<string[]>;
  private reportFailure!: (reason: string) => void;

  constructor(private readonly stopTimeoutMs = 10_000) {
    this.failure = new Promise((resolve) => (this.reportFailure = resolve));
  }

  addApp(child: SupervisedProcess): void {
    this.apps.push(child);
    this.watch(child);
  }

  addInfra(child: SupervisedProcess): void {
    this.infra.push(child);
    this.watch(child);
  }

  get all(): readonly SupervisedProcess[] {
    return [...this.apps, ...this.infra];
  }

  /** Stops everything, once; resolves with the names of children that had to be killed. */
  close(): Promise<string[]> {
    this.closing ??= this.stopAll();
    return this.closing;
  }

  /** Synchronous last resort for the launcher's 'exit' event: nothing may outlive it. */
  killAllNow(): void {
    for (const child of this.all) child.killGroup();
  }

  private watch(child: SupervisedProcess): void {
    if (this.closing) void child.stop(this.stopTimeoutMs);
    void child.exited.then(() => {
      if (!child.stopRequested && !this.closing) this.reportFailure(`${child.name} ${child.describeExit()}`);
    });
  }

  private async stopAll(): Promise<string[]> {
    const killed: string[] = [];
    for (const group of [this.apps, this.infra]) {
      // Children registered while we stop (a startup step finishing late) are picked up by the next pass.
      while (group.some((child) => child.running || !child.stopRequested)) {
        const outcomes = await Promise.all(group.map(async (child) => [child.name, await child.stop(this.stopTimeoutMs)] as const));
        killed.push(...outcomes.filter(([, outcome]) => outcome === 'killed').map(([name]) => name));
      }
    }
    return killed;
  }
}
