import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bufferedLogDestination } from './buffered-log-destination';

describe('bufferedLogDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tc-log-'));
    file = path.join(dir, 'out.log');
    fd = openSync(file, 'a');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  const written = () => readFileSync(file, 'utf8');

  it('holds short lines until the flush interval, then writes them together', async () => {
    const out = bufferedLogDestination(fd, { minBytes: 1024, flushMs: 100 });
    out.write('{"msg":"one"}\n');
    out.write('{"msg":"two"}\n');
    expect(written()).toBe('');
    await sleep(300);
    expect(written()).toBe('{"msg":"one"}\n{"msg":"two"}\n');
  });

  it('writes at once when the lines waiting reach minBytes, and again by the timer after that', async () => {
    const out = bufferedLogDestination(fd, { minBytes: 64, flushMs: 100 });
    const line = `{"msg":"${'x'.repeat(40)}"}\n`;
    out.write(line);
    expect(written()).toBe('');
    out.write(line);
    expect(written()).toBe(line + line);
    out.write('{"msg":"tail"}\n');
    expect(written()).toBe(line + line);
    await sleep(300);
    expect(written()).toBe(`${line}${line}{"msg":"tail"}\n`);
  });

  it('flush writes what waits, synchronously (the process exit hook calls it)', () => {
    const out = bufferedLogDestination(fd, { minBytes: 1024, flushMs: 60_000 });
    out.write('{"msg":"last words"}\n');
    out.flush();
    expect(written()).toBe('{"msg":"last words"}\n');
    const done = jest.fn();
    out.flush(done);
    expect(written()).toBe('{"msg":"last words"}\n');
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('unbuffer writes what waits and every later line at once', () => {
    const out = bufferedLogDestination(fd, { minBytes: 1024, flushMs: 60_000 });
    out.write('{"msg":"draining"}\n');
    out.unbuffer();
    expect(written()).toBe('{"msg":"draining"}\n');
    out.write('{"msg":"drained"}\n');
    expect(written()).toBe('{"msg":"draining"}\n{"msg":"drained"}\n');
  });

  it('the exit hook is registered: lines still waiting are written when the process exits', () => {
    const before = process.listeners('exit').length;
    const out = bufferedLogDestination(fd, { minBytes: 1024, flushMs: 60_000 });
    const hooks = process.listeners('exit');
    expect(hooks.length).toBe(before + 1);
    out.write('{"msg":"at exit"}\n');
    (hooks[hooks.length - 1] as () => void)();
    expect(written()).toBe('{"msg":"at exit"}\n');
    process.removeListener('exit', hooks[hooks.length - 1] as () => void);
  });
});
