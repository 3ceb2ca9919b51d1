import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { envSchema } from './env.schema';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, describeConfig, extractConfigTable, renderConfigTable } from './config-table';

const README = path.resolve(__dirname, '../../../README.md');

describe('configuration table', () => {
  it('describes every variable of the schema', () => {
    const names = describeConfig().map((v) => v.name);
    expect(names).toEqual(Object.keys((envSchema.innerType().innerType() as z.AnyZodObject).shape));
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'BULL_BOARD_ENABLED', 'WORKER_HEALTH_PORT']));
    expect(describeConfig().find((v) => v.name === 'WORKER_CONCURRENCY')).toMatchObject({ defaultValue: '`8`' });
    expect(describeConfig().find((v) => v.name === 'TERRA_WEBHOOK_SECRET')).toMatchObject({ defaultValue: '-' });
  });

  it('refuses a variable without a description', () => {
    const schema = z.object({ DOCUMENTED: z.string().describe('yes'), UNDOCUMENTED: z.string() });
    expect(() => renderConfigTable(schema)).toThrow(/UNDOCUMENTED has no \.describe\(\)/);
  });

  it("matches README.md's table", () => {
    const expected = renderConfigTable();
    const actual = extractConfigTable(readFileSync(README, 'utf8'));
    const help =
      `README.md's configuration table (between ${CONFIG_TABLE_START} and ${CONFIG_TABLE_END}) is out of date with ` +
      `libs/config/src/env.schema.ts. Replace it with:\n\n${expected}\n`;
    if (actual !== expected) throw new Error(help);
  });
});
