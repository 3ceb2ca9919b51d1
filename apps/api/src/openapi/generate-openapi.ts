import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMMITTED_OPENAPI_FILE, generateOpenApiDocument } from './openapi-document';

/**
 * `npm run openapi` (from the sources): writes the API's OpenAPI document to docs/openapi.json from the
 * controllers and DTOs. Needs no database or Redis. Commit the result; a test fails while the committed file
 * differs (openapi-document.spec.ts).
 */
async function main(): Promise<void> {
  const target = path.resolve(__dirname, '../../../..', COMMITTED_OPENAPI_FILE);
  writeFileSync(target, await generateOpenApiDocument());
  process.stdout.write(`wrote ${COMMITTED_OPENAPI_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi generation failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
