import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The first executable file called `name` on the PATH, like `command -v`; undefined when there is none. */
export function findExecutable(name: string, searchPath: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
