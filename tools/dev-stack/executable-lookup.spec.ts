import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExecutable } from './executable-lookup';

describe('findExecutable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tc-exe-'));
    writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(path.join(dir, 'tool'), 0o755);
    writeFileSync(path.join(dir, 'not-executable'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable file on the PATH, like `command -v`', () => {
    expect(findExecutable('tool', ['/nonexistent', dir].join(path.delimiter))).toBe(path.join(dir, 'tool'));
  });

  it('ignores files that are not executable and names that are nowhere', () => {
    expect(findExecutable('not-executable', dir)).toBeUndefined();
    expect(findExecutable('tool', '')).toBeUndefined();
  });
});
