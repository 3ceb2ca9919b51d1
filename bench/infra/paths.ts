import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found by walking up to our package.json: the same from dist/bench and bench/. */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'terra-connections') {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no terra-connections package.json above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
/** Git-ignored: JSON results, child logs and CPU profiles of every run. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench/results');
/**
 * The repository's Terra webhook fixtures (the same files the tests sign and send), read from the source tree
 * because dist/ holds no JSON. BENCH_FIXTURES_DIR points a run at other bodies with the same file names.
 */
export const FIXTURES_DIR = process.env.BENCH_FIXTURES_DIR ?? path.join(REPO_ROOT, 'libs/testing/fixtures');
