import { existsSync } from 'node:fs';
import path from 'node:path';

export type AppName = 'api' | 'worker' | 'terra-sandbox';

/** Where the launcher finds the apps: next to itself, compiled (dist/) or as TypeScript sources. */
export interface StackLayout {
  /** The checkout: package.json, .data/ and the working directory of every child. */
  repoRoot: string;
  /** dist/ for the built launcher, the checkout itself when run from sources. */
  codeRoot: string;
  /** Node flags the children need, e.g. `-r @swc-node/register` when running from sources. */
  nodeArgs: string[];
  entry(app: AppName): string;
  script(relativeToTools: string): string;
}

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/**
 * `toolsDir` is the folder holding dev-stack.(js|ts). Children run the same way the launcher runs, with the
 * same node flags: `npm start` runs dist/, the integration test runs sources through @swc-node/register.
 */
export function stackLayout(toolsDir: string, extension: string, execArgv: readonly string[] = process.execArgv): StackLayout {
  const codeRoot = path.dirname(toolsDir);
  const repoRoot = findRepoRoot(codeRoot);
  const ext = extension === '.ts' ? '.ts' : '.js';
  return {
    repoRoot,
    codeRoot,
    nodeArgs: execArgv.filter((arg) => !arg.startsWith('--inspect')),
    entry: (app) => path.join(codeRoot, 'apps', app, 'src', `main${ext}`),
    script: (relative) => path.join(codeRoot, 'tools', `${relative}${ext}`),
  };
}
