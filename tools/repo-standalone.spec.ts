import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findStandaloneViolations, listRepoFiles, readRepoFiles } from './repo-standalone/standalone-violations';

const REPO_ROOT = path.resolve(__dirname, '..');
// Built from parts so this file does not cite or point at what it forbids.
const SIBLING = ['..', 'shared', 'terra', 'fixtures'].join('/');
const OLD_CITATION = ['CONTRACT', '5.1'].join(' ');
const OLD_FILE = ['CONTRACT', 'md'].join('.');

describe('the repository stands on its own', () => {
  it('has no code or config that reads the sibling shared checkout or cites the old contract document', () => {
    const files = listRepoFiles(REPO_ROOT);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'libs/testing/src/terra-fixtures.ts', 'docs/terra-contract.md']));
    expect(findStandaloneViolations(readRepoFiles(REPO_ROOT, files))).toEqual([]);
  });

  it('names the file and line of a planted violation, and lets docs and Markdown discuss them', () => {
    const found = findStandaloneViolations([
      { path: 'libs/x/src/loader.ts', text: `const ok = 1;\nconst dir = path.resolve(__dirname, '${SIBLING}');\n` },
      { path: 'bench/y.ts', text: `// as ${['shared', 'terra'].join('/')} says\n` },
      { path: 'apps/z/src/z.ts', text: `\n\n/** Signed as ${OLD_CITATION} says. */\n` },
      { path: 'apps/z/src/w.ts', text: `/** Following ${OLD_FILE} sections 1-2. */\n` },
      { path: 'apps/z/src/ok.ts', text: `/** Signed as terra-contract.md §5.1 says; scope:shared libs are fine. */\n` },
      { path: 'docs/history.md', text: `The ${OLD_CITATION} citations came from ${SIBLING}.\n` },
      { path: 'README.md', text: `Once ${SIBLING} was needed.\n` },
    ]);
    expect(found).toEqual([
      expect.stringMatching(/^libs\/x\/src\/loader\.ts:2: reads or points at the sibling shared checkout/),
      expect.stringMatching(/^bench\/y\.ts:1: points at the sibling Terra reference folder/),
      expect.stringMatching(/^apps\/z\/src\/z\.ts:3: cites the old CONTRACT document/),
      expect.stringMatching(/^apps\/z\/src\/w\.ts:1: names the old contract file/),
    ]);
  });

  it('walks the tree when there is no git checkout, skipping what a clone does not hold', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tc-standalone-'));
    try {
      mkdirSync(path.join(root, 'libs/a'), { recursive: true });
      mkdirSync(path.join(root, 'node_modules/dep'), { recursive: true });
      writeFileSync(path.join(root, 'libs/a/a.ts'), `// ${OLD_CITATION}\n`);
      writeFileSync(path.join(root, 'node_modules/dep/index.js'), `// ${OLD_CITATION}\n`);
      writeFileSync(path.join(root, 'blob.bin'), Buffer.from([0, 1, 2]));
      const files = listRepoFiles(root);
      expect(files.sort()).toEqual(['blob.bin', 'libs/a/a.ts']);
      expect(findStandaloneViolations(readRepoFiles(root, files))).toEqual([expect.stringMatching(/^libs\/a\/a\.ts:1: /)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
