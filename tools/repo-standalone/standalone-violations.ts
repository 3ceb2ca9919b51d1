import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * A clone of this repository must build, test and bench on its own. Reference material kept beside it (a
 * sibling `shared/` checkout with Terra's contract and example webhooks) must never be read at run time or
 * in tests, and the old contract document must not be cited: docs/terra-contract.md replaced it with the
 * same section numbers. Markdown and docs/ may talk about all of this; code and config may not.
 */
const RULES: { pattern: RegExp; reason: string }[] = [
  { pattern: /\.\.\/shared\b/, reason: 'reads or points at the sibling shared checkout beside the repository' },
  { pattern: /\bshared\/terra\b/, reason: 'points at the sibling Terra reference folder outside the repository' },
  { pattern: /\bCONTRACT(?:\.md)?\s+(?:§\s*)?\d/, reason: 'cites the old CONTRACT document: cite docs/terra-contract.md §<n>' },
  { pattern: /\bCONTRACT\.md\b/, reason: 'names the old contract file: cite docs/terra-contract.md' },
];

/** Never committed, or generated: not part of what a clone holds (the walk's stand-in for .gitignore). */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', 'tmp', 'coverage', '.nx', '.data', 'test-artifacts', 'bench/results']);

export interface RepoFile {
  /** Relative to the repository root, with `/` separators. */
  path: string;
  text: string;
}

export function isExempt(file: string): boolean {
  return file.startsWith('docs/') || file.toLowerCase().endsWith('.md');
}

/** One `path:line: reason` per offending line. */
export function findStandaloneViolations(files: readonly RepoFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (isExempt(file.path)) continue;
    file.text.split('\n').forEach((line, index) => {
      const rule = RULES.find(({ pattern }) => pattern.test(line));
      if (rule) found.push(`${file.path}:${index + 1}: ${rule.reason}: ${line.trim().slice(0, 160)}`);
    });
  }
  return found;
}

/** Tracked and not-yet-added files of a git checkout; a plain walk of the tree when there is no git. */
export function listRepoFiles(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return [...new Set(out.split('\0').filter(Boolean))].filter((file) => existsSync(path.join(root, file)));
  } catch {
    return walk(root, '');
  }
}

function walk(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) || SKIPPED_DIRS.has(rel) ? [] : walk(root, rel);
    return entry.isFile() ? [rel] : [];
  });
}

/** Text files only: a NUL byte marks a binary, which cites nothing. */
export function readRepoFiles(root: string, files: readonly string[]): RepoFile[] {
  return files
    .filter((file) => !isExempt(file) && statSync(path.join(root, file)).isFile())
    .map((file) => ({ path: file, text: readFileSync(path.join(root, file), 'utf8') }))
    .filter((file) => !file.text.includes('\0'));
}
