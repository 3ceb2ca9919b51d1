import { StackSupervisor, SupervisedProcess } from '@terra-connections/process';

function node(name: string, script: string): SupervisedProcess {
  return new SupervisedProcess({ name, command: process.execPath, args: ['-e', script] });
}

/** Prints `up` once its SIGTERM handler is installed, so a test never signals it before it can react. */
const graceful = (extra = '') => `process.on('SIGTERM', () => { ${extra} process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);`;

async function untilPrinted(child: SupervisedProcess, line: string): Promise<void> {
  while (!child.tail().includes(line)) {
    if (!child.running) throw new Error(`${child.name} ${child.describeExit()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SupervisedProcess', () => {
  it('hands every output line over, keeps the last ones and describes how it ended', async () => {
    const lines: string[] = [];
    const child = new SupervisedProcess({
      name: 'talker',
      command: process.execPath,
      args: ['-e', "console.log('one'); console.error('two'); process.exit(3)"],
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    const info = await child.exited;
    expect(info).toMatchObject({ code: 3, signal: null });
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one']);
    expect(child.tail().sort()).toEqual(['one', 'two']);
    expect(child.describeExit()).toBe('exited with code 3');
    expect(child.running).toBe(false);
  });

  it('reports a command that cannot start', async () => {
    const child = new SupervisedProcess({ name: 'ghost', command: '/nonexistent/ghost', args: [] });
    await child.exited;
    expect(child.describeExit()).toMatch(/^could not start \(spawn \/nonexistent\/ghost ENOENT\)$/);
  });

  it('stops with SIGTERM, and kills what ignores it after the timeout', async () => {
    const polite = node('polite', graceful());
    const stubborn = node('stubborn', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);");
    await Promise.all([untilPrinted(polite, 'up'), untilPrinted(stubborn, 'up')]);

    await expect(polite.stop(5_000)).resolves.toBe('stopped');
    await expect(stubborn.stop(300)).resolves.toBe('killed');
    expect(stubborn.describeExit()).toBe('was killed by SIGKILL');
    // Idempotent: a second stop is the same stop.
    await expect(polite.stop(5_000)).resolves.toBe('stopped');
  });
});

describe('StackSupervisor', () => {
  it('reports the first child that dies on its own', async () => {
    const supervisor = new StackSupervisor(2_000);
    const steady = node('steady', graceful());
    supervisor.addApp(steady);
    supervisor.addApp(node('crasher', 'process.exit(7)'));
    await expect(supervisor.failure).resolves.toBe('crasher exited with code 7');
    await expect(supervisor.close()).resolves.toEqual([]);
    expect(steady.running).toBe(false);
  });

  it('stops the apps before the databases they use, and an expected exit is no failure', async () => {
    const supervisor = new StackSupervisor(5_000);
    const order: string[] = [];
    const database = node('database', graceful());
    const app = node('app', graceful("require('fs').writeSync(1, 'draining\\n');"));
    supervisor.addInfra(database);
    supervisor.addApp(app);
    for (const child of [database, app]) void child.exited.then(() => order.push(child.name));
    await Promise.all([untilPrinted(database, 'up'), untilPrinted(app, 'up')]);

    await expect(supervisor.close()).resolves.toEqual([]);
    expect(order).toEqual(['app', 'database']);
    const failed = await Promise.race([supervisor.failure.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);
    expect(failed).toBe(false);
  });
});
