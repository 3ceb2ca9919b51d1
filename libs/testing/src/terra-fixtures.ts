import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Terra webhook bodies with made-up people and ids, shaped by docs/terra-contract.md §5 and the terra-api
 * SDK types. The top level is the delivery story of §10 and nothing else: suites replay exactly that set.
 */
export const TERRA_FIXTURES_DIR = path.resolve(__dirname, '../fixtures');
/** Events outside the story (2026 shapes, response-only and ping-mode events), kept apart so the story stays whole. */
export const EXTRA_TERRA_FIXTURES_DIR = path.join(TERRA_FIXTURES_DIR, 'extra');

export interface TerraFixture {
  name: string;
  /** The file's exact text: what gets signed and sent, so whitespace is Terra's problem, not ours. */
  raw: string;
  json: Record<string, unknown>;
}

function namesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The story's fixtures (§10). */
export function listTerraFixtures(): string[] {
  return namesIn(TERRA_FIXTURES_DIR);
}

/** Every fixture, story and extra; names are unique across both. */
export function listAllTerraFixtures(): string[] {
  return [...namesIn(TERRA_FIXTURES_DIR), ...namesIn(EXTRA_TERRA_FIXTURES_DIR)].sort();
}

export function loadTerraFixture(name: string): TerraFixture {
  const inStory = path.join(TERRA_FIXTURES_DIR, `${name}.json`);
  const file = existsSync(inStory) ? inStory : path.join(EXTRA_TERRA_FIXTURES_DIR, `${name}.json`);
  const raw = readFileSync(file, 'utf8');
  return { name, raw, json: JSON.parse(raw) as Record<string, unknown> };
}
